import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { notFound } from "../../errors.js";
import { makeBackup } from "./make-backup.js";
import { BACKUPS_DIR, backupName, backupNameSchema, type ManifestFile } from "./manifest.js";

export interface BackupInfo {
  name: string;
  path: string;
  bytes: number;
  sha256: string;
  createdAt: number;
  files: ManifestFile[];
}

export interface BackupServiceDeps {
  dataDir: string;
  keep: number;
  version: string;
  backupDb: (file: string) => Promise<void>;
  log: Logger;
  now?: () => number;
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(file) as AsyncIterable<Buffer>) h.update(c);
  return h.digest("hex");
}

/**
 * Backups kept in `<dataDir>/backups` (the `keep` newest), made one at a time: a second request
 * waits for the first. Archives are read back by name only (no paths from callers).
 */
export function createBackupService(deps: BackupServiceDeps) {
  const log = deps.log.child({ module: "backup" });
  const now = deps.now ?? Date.now;
  const dir = join(deps.dataDir, BACKUPS_DIR);
  let queue: Promise<unknown> = Promise.resolve();

  async function prune(): Promise<void> {
    const names = (await readdir(dir)).filter((n) => backupNameSchema.safeParse(n).success).sort();
    for (const n of names.slice(0, Math.max(0, names.length - deps.keep))) await rm(join(dir, n), { force: true });
  }

  async function create(): Promise<BackupInfo> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const started = now();
    const name = backupName(started, randomBytes(2).toString("hex"));
    const path = join(dir, name);
    const manifest = await makeBackup(
      { dataDir: deps.dataDir, backupDb: deps.backupDb, version: deps.version, now },
      path,
    );
    const [st, sha256] = await Promise.all([stat(path), sha256Of(path)]);
    await prune().catch((err: unknown) => log.warn({ err }, "pruning old backups failed"));
    log.info({ name, bytes: st.size, files: manifest.files.length, ms: now() - started }, "backup written");
    return { name, path, bytes: st.size, sha256, createdAt: manifest.createdAt, files: manifest.files };
  }

  const pathOf = (name: string): string => {
    if (!backupNameSchema.safeParse(name).success) throw notFound(`backup ${name}`);
    return join(dir, name);
  };

  return {
    /** Makes a backup (after any running one) and returns where it is. */
    create(): Promise<BackupInfo> {
      const next = queue.then(create, create);
      queue = next.catch(() => undefined);
      return next;
    },
    pathOf,
    /** `length` bytes of an archive from `offset` (the socket and MQTT doors download in chunks). */
    async read(name: string, offset: number, length: number): Promise<{ data: Buffer; eof: boolean; bytes: number }> {
      const path = pathOf(name);
      let fh;
      try {
        fh = await open(path, "r");
      } catch {
        throw notFound(`backup ${name}`);
      }
      try {
        const bytes = (await fh.stat()).size;
        const buf = Buffer.alloc(Math.max(0, Math.min(length, bytes - offset)));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        return { data: buf.subarray(0, bytesRead), eof: offset + bytesRead >= bytes, bytes };
      } finally {
        await fh.close();
      }
    },
  };
}
export type BackupService = ReturnType<typeof createBackupService>;
