import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createGunzip } from "node:zlib";
import { ManagerErrorCodes } from "../../errors.js";
import { DB_FILE } from "../../store/create-store.js";
import { inspectLock, LOCK_FILE } from "../data-lock.js";
import { BACKUPS_DIR, MANIFEST_FILE, backupManifestSchema, type BackupManifest } from "./manifest.js";
import { readTar, type EntrySink } from "./tar.js";
import { CodedError } from "@bbb/shared";

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

const invalid = (message: string) => new CodedError(ManagerErrorCodes.INVALID_PARAMS, message);

/** Streams the archive's entries; `onFile` gets every entry but the manifest. */
async function walk(
  file: string,
  onFile: (path: string, size: number, mode: number) => EntrySink,
): Promise<BackupManifest> {
  const seen = new Map<string, { bytes: number; sha256: string }>();
  let manifestText: Buffer | null = null;
  try {
    await readTar(createReadStream(file).pipe(createGunzip()), (e) => {
      if (manifestText !== null) throw invalid(`entry ${e.path} after the manifest`);
      if (seen.has(e.path)) throw invalid(`entry ${e.path} twice`);
      if (e.path === MANIFEST_FILE) {
        if (e.size > MAX_MANIFEST_BYTES) throw invalid("manifest too large");
        const parts: Buffer[] = [];
        return { data: (c) => void parts.push(c), end: () => void (manifestText = Buffer.concat(parts)) };
      }
      const hash = createHash("sha256");
      const inner = onFile(e.path, e.size, e.mode);
      return {
        data: (c) => {
          hash.update(c);
          return inner.data(c);
        },
        end: async () => {
          await inner.end();
          seen.set(e.path, { bytes: e.size, sha256: hash.digest("hex") });
        },
      };
    });
  } catch (e: unknown) {
    if (e instanceof CodedError) throw e;
    throw invalid(`not a readable backup archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (manifestText === null) throw invalid(`no ${MANIFEST_FILE} in the archive`);
  let parsed: unknown;
  try {
    parsed = JSON.parse((manifestText as Buffer).toString("utf8"));
  } catch {
    throw invalid(`${MANIFEST_FILE} is not JSON`);
  }
  const m = backupManifestSchema.safeParse(parsed);
  if (!m.success) throw invalid(`${MANIFEST_FILE} is not a bbb backup manifest`);
  const listed = new Set(m.data.files.map((f) => f.path));
  for (const f of m.data.files) {
    const got = seen.get(f.path);
    if (!got) throw invalid(`${f.path} is listed in the manifest but missing`);
    if (got.bytes !== f.bytes || got.sha256 !== f.sha256) throw invalid(`${f.path}: checksum mismatch`);
  }
  for (const p of seen.keys()) if (!listed.has(p)) throw invalid(`${p} is not listed in the manifest`);
  if (!listed.has(DB_FILE)) throw invalid(`the archive holds no ${DB_FILE}`);
  return m.data;
}

const discard: EntrySink = { data: () => undefined, end: () => undefined };

/** Reads the whole archive and checks every file against the manifest; changes nothing. */
export function verifyBackup(file: string): Promise<BackupManifest> {
  return walk(file, () => discard);
}

function fileSink(path: string, mode: number): EntrySink {
  let failure: Error | null = null;
  let ready: Promise<WriteStream> | null = null;
  const open = async () => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const s = createWriteStream(path, { mode: mode & 0o777 || 0o600, flags: "wx" });
    s.on("error", (e: Error) => (failure ??= e));
    return s;
  };
  return {
    async data(chunk) {
      const s = await (ready ??= open());
      if (failure) throw failure;
      if (!s.write(chunk))
        await new Promise<void>((r) => {
          s.once("drain", () => r());
          s.once("error", () => r());
        });
    },
    async end() {
      const s = await (ready ??= open());
      await new Promise<void>((resolve) => s.end(resolve));
      if (failure) throw failure;
    },
  };
}

export interface RestoreOptions {
  file: string;
  dataDir: string;
  /** Restore although the lock file was written on another host (its server may still run). */
  force?: boolean;
  now?: () => number;
}

/** Top-level names that a restore leaves where they are. */
const KEEP = (name: string) => name === BACKUPS_DIR || name.startsWith(".previous-") || name.startsWith(".restore-");

/**
 * Offline restore (docs/deployment.md "Backup and restore"): refuses while a server runs on the
 * data dir, verifies the whole archive before touching anything, extracts it into a staging
 * folder inside the data dir (checking the checksums again), then moves the previous content
 * aside into `.previous-<time>/` and the restored files into place. Works on a mount point
 * (a Docker volume), which cannot itself be renamed.
 */
export async function restoreBackup(o: RestoreOptions): Promise<{ manifest: BackupManifest; previous: string | null }> {
  const lock = inspectLock(o.dataDir);
  if (lock.state === "held")
    throw new CodedError(
      ManagerErrorCodes.CONFLICT,
      `a server (pid ${lock.lock.pid}) runs on ${o.dataDir}: stop it first`,
    );
  if (lock.state === "unknown" && !o.force)
    throw new CodedError(
      ManagerErrorCodes.CONFLICT,
      `${join(o.dataDir, LOCK_FILE)} was written by pid ${lock.lock.pid} on host ${lock.lock.host}: stop that server, or pass --force if it is stopped`,
    );
  await verifyBackup(o.file);
  await mkdir(o.dataDir, { recursive: true });
  const stamp = new Date((o.now ?? Date.now)()).toISOString().replace(/[:.]/g, "-");
  const staging = join(o.dataDir, `.restore-${stamp}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  let manifest: BackupManifest;
  try {
    manifest = await walk(o.file, (path, _size, mode) => fileSink(join(staging, path), mode));
  } catch (e: unknown) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  const current = (await readdir(o.dataDir)).filter((n) => !KEEP(n));
  let previous: string | null = null;
  if (current.length > 0) {
    previous = join(o.dataDir, `.previous-${stamp}`);
    await mkdir(previous, { mode: 0o700 });
    for (const name of current) await rename(join(o.dataDir, name), join(previous, name));
  }
  for (const name of await readdir(staging)) await rename(join(staging, name), join(o.dataDir, name));
  await rm(staging, { recursive: true, force: true });
  return { manifest, previous };
}
