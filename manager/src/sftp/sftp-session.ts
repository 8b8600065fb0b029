import { constants as fsc } from "node:fs";
import { open, readdir, lstat, readlink, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Attributes, FileEntry, SFTPWrapper } from "ssh2";
import { longname, rootAttrs, toAttrs } from "./attrs.js";
import { mayRead, resolvePath, virtualRealpath, type SftpAccessPolicy, type SftpPrincipal } from "./path-guard.js";
import { SftpRefusal, SftpStatus, statusOf } from "./sftp-errors.js";

export interface SftpSessionLimits {
  /** Open file and folder handles per SFTP session. */
  maxHandles: number;
  /** Largest READ answered (a client asking for more gets a short read, which SFTP allows). */
  maxReadBytes: number;
}
export const DEFAULT_SESSION_LIMITS: SftpSessionLimits = { maxHandles: 64, maxReadBytes: 64 * 1024 };

type Handle = { kind: "file"; fh: FileHandle } | { kind: "dir"; entries: FileEntry[]; pos: number };

const WRITE_FLAGS = 0x02 | 0x04 | 0x08 | 0x10 | 0x20; // WRITE | APPEND | CREAT | TRUNC | EXCL
const DIR_BATCH = 64;

/** Serves one SFTP channel read-only from the project store (see create-sftp-server.ts). */
export function attachSftpSession(
  sftp: SFTPWrapper,
  ctx: { root: string; who: SftpPrincipal; policy?: SftpAccessPolicy; limits: SftpSessionLimits; log: Logger },
): void {
  const { root, who, policy, limits, log } = ctx;
  const handles = new Map<string, Handle>();
  let nextHandle = 0;
  let closed = false;

  const newHandle = (h: Handle): Buffer => {
    if (handles.size >= limits.maxHandles) throw new SftpRefusal(SftpStatus.FAILURE, "Too many open handles");
    const b = Buffer.alloc(4);
    b.writeUInt32BE(nextHandle++ >>> 0);
    handles.set(b.toString("hex"), h);
    return b;
  };
  const getHandle = (b: Buffer): Handle => {
    const h = handles.get(b.toString("hex"));
    if (!h) throw new SftpRefusal(SftpStatus.FAILURE, "Invalid handle");
    return h;
  };

  /** Every request is answered exactly once: a value through `reply`, or a status from the error. */
  const serve = (reqId: number, op: string, work: () => Promise<void> | void) => {
    Promise.resolve()
      .then(work)
      .catch((e: unknown) => {
        const { status, message } = statusOf(e);
        if (status === SftpStatus.FAILURE && !(e instanceof SftpRefusal))
          log.warn({ err: e, op }, "sftp request failed");
        if (!closed) sftp.status(reqId, status, message);
      });
  };
  const deny = (op: string) => (reqId: number) => {
    log.debug({ op }, "sftp write refused");
    sftp.status(reqId, SftpStatus.PERMISSION_DENIED, "Read-only project store");
  };

  // The store folder is made by the first project build: until then "/" is an empty directory.
  const emptyUntilBuilt =
    <T>(empty: T) =>
    (e: unknown): T => {
      if ((e as NodeJS.ErrnoException | null)?.code === "ENOENT") return empty;
      throw e;
    };

  async function listRoot(): Promise<FileEntry[]> {
    const out: FileEntry[] = [];
    for (const name of (await readdir(root).catch(emptyUntilBuilt<string[]>([]))).sort()) {
      if (!mayRead(name, who, policy)) continue;
      const st = await stat(join(root, name)).catch(() => null);
      if (!st?.isDirectory()) continue;
      const attrs = toAttrs(st);
      out.push({ filename: name, longname: longname(name, attrs), attrs });
    }
    return out;
  }

  async function listDir(real: string): Promise<FileEntry[]> {
    const out: FileEntry[] = [];
    for (const name of (await readdir(real)).sort()) {
      const st = await lstat(join(real, name)).catch(() => null);
      if (!st) continue;
      const attrs = toAttrs(st);
      out.push({ filename: name, longname: longname(name, attrs), attrs });
    }
    return out;
  }

  async function statPath(path: string, follow: boolean): Promise<Attributes> {
    const r = await resolvePath(root, path, who, policy, { noFollow: !follow });
    if (r.kind === "root") {
      const st = await stat(root).catch(emptyUntilBuilt(null));
      return rootAttrs(st ? Math.floor(st.mtimeMs / 1000) : 0);
    }
    return toAttrs(follow ? await stat(r.real) : await lstat(r.real));
  }

  sftp.on("OPEN", (reqId: number, filename: string, flags: number) =>
    serve(reqId, "open", async () => {
      if (flags & WRITE_FLAGS) throw new SftpRefusal(SftpStatus.PERMISSION_DENIED, "Read-only project store");
      const r = await resolvePath(root, filename, who, policy);
      if (r.kind === "root") throw new SftpRefusal(SftpStatus.FAILURE, "Is a directory");
      const fh = await open(r.real, fsc.O_RDONLY | fsc.O_NOFOLLOW);
      try {
        if (!(await fh.stat()).isFile()) throw new SftpRefusal(SftpStatus.FAILURE, "Not a regular file");
        sftp.handle(reqId, newHandle({ kind: "file", fh }));
      } catch (e: unknown) {
        await fh.close();
        throw e;
      }
    }),
  );
  sftp.on("READ", (reqId: number, handle: Buffer, offset: number, len: number) =>
    serve(reqId, "read", async () => {
      const h = getHandle(handle);
      if (h.kind !== "file") throw new SftpRefusal(SftpStatus.FAILURE, "Not a file handle");
      const buf = Buffer.allocUnsafe(Math.min(len, limits.maxReadBytes));
      const { bytesRead } = await h.fh.read(buf, 0, buf.length, offset);
      if (closed) return;
      if (bytesRead === 0) sftp.status(reqId, SftpStatus.EOF);
      else sftp.data(reqId, buf.subarray(0, bytesRead));
    }),
  );
  sftp.on("FSTAT", (reqId: number, handle: Buffer) =>
    serve(reqId, "fstat", async () => {
      const h = getHandle(handle);
      if (h.kind !== "file") throw new SftpRefusal(SftpStatus.FAILURE, "Not a file handle");
      sftp.attrs(reqId, toAttrs(await h.fh.stat()));
    }),
  );
  sftp.on("CLOSE", (reqId: number, handle: Buffer) =>
    serve(reqId, "close", async () => {
      const h = getHandle(handle);
      handles.delete(handle.toString("hex"));
      if (h.kind === "file") await h.fh.close();
      sftp.status(reqId, SftpStatus.OK);
    }),
  );
  sftp.on("OPENDIR", (reqId: number, path: string) =>
    serve(reqId, "opendir", async () => {
      const r = await resolvePath(root, path, who, policy);
      let entries: FileEntry[];
      if (r.kind === "root") entries = await listRoot();
      else {
        if (!(await stat(r.real)).isDirectory()) throw new SftpRefusal(SftpStatus.FAILURE, "Not a directory");
        entries = await listDir(r.real);
      }
      sftp.handle(reqId, newHandle({ kind: "dir", entries, pos: 0 }));
    }),
  );
  sftp.on("READDIR", (reqId: number, handle: Buffer) =>
    serve(reqId, "readdir", () => {
      const h = getHandle(handle);
      if (h.kind !== "dir") throw new SftpRefusal(SftpStatus.FAILURE, "Not a directory handle");
      if (h.pos >= h.entries.length) {
        sftp.status(reqId, SftpStatus.EOF);
        return;
      }
      const batch = h.entries.slice(h.pos, h.pos + DIR_BATCH);
      h.pos += batch.length;
      sftp.name(reqId, batch);
    }),
  );
  sftp.on("STAT", (reqId: number, path: string) =>
    serve(reqId, "stat", async () => sftp.attrs(reqId, await statPath(path, true))),
  );
  sftp.on("LSTAT", (reqId: number, path: string) =>
    serve(reqId, "lstat", async () => sftp.attrs(reqId, await statPath(path, false))),
  );
  sftp.on("REALPATH", (reqId: number, path: string) =>
    serve(reqId, "realpath", () => {
      const p = virtualRealpath(path);
      sftp.name(reqId, [{ filename: p, longname: p, attrs: {} as Attributes }]);
    }),
  );
  sftp.on("READLINK", (reqId: number, path: string) =>
    serve(reqId, "readlink", async () => {
      const r = await resolvePath(root, path, who, policy, { noFollow: true });
      if (r.kind === "root") throw new SftpRefusal(SftpStatus.FAILURE, "Not a symlink");
      const target = await readlink(r.real);
      sftp.name(reqId, [{ filename: target, longname: target, attrs: {} as Attributes }]);
    }),
  );
  // The store is read-only for every principal (docs/protocol.md §"Project store and SFTP": no writes, renames, removals, mkdir, setstat or symlink creation).
  for (const op of ["WRITE", "FSETSTAT", "SETSTAT", "REMOVE", "RMDIR", "MKDIR", "RENAME", "SYMLINK"] as const) {
    sftp.on(op, deny(op));
  }
  sftp.on("EXTENDED", (reqId: number) => sftp.status(reqId, SftpStatus.OP_UNSUPPORTED, "Unsupported"));

  const release = () => {
    if (closed) return;
    closed = true;
    for (const h of handles.values()) if (h.kind === "file") void h.fh.close().catch(() => undefined);
    handles.clear();
  };
  // The client's EOF on the channel must be answered by closing it, or OpenSSH's sftp hangs at exit (mscdex/ssh2#1029).
  sftp.on("end", () => {
    release();
    sftp.end();
  });
  sftp.on("close", release);
  sftp.on("error", (err: unknown) => log.debug({ err }, "sftp channel error"));
}
