import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { DB_FILE } from "../../store/create-store.js";
import { HEALTH_DB_FILE } from "../../health/metric-db.js";
import { LOCK_FILE } from "../data-lock.js";
import { BACKUPS_DIR, MANIFEST_FILE, type BackupManifest, type ManifestFile } from "./manifest.js";
import { END_OF_ARCHIVE, fileHeader, isSafePath, padding } from "./tar.js";

/** Top-level entries of the data dir that are not copied as files. */
const SKIP_TOP = new Set([
  DB_FILE, // copied through the SQLite online backup instead
  `${DB_FILE}-wal`,
  `${DB_FILE}-shm`,
  `${DB_FILE}-journal`,
  LOCK_FILE,
  BACKUPS_DIR,
  // The materialised project trees: rebuilt from their sources (types in the database).
  "projects",
  // Health series: large, written all the time, and not needed to run the fleet (docs/protocol.md §"Health history").
  HEALTH_DB_FILE,
  `${HEALTH_DB_FILE}-wal`,
  `${HEALTH_DB_FILE}-shm`,
  `${HEALTH_DB_FILE}-journal`,
]);

export interface BackupDeps {
  dataDir: string;
  /** The store's online backup (createStore().backup). */
  backupDb: (file: string) => Promise<void>;
  version: string;
  now?: () => number;
}

/** Regular files of the data dir to archive, as relative paths (symlinks and odd names skipped). */
async function dataFiles(dataDir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(dataDir, rel), { withFileTypes: true });
  for (const e of entries) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (rel === "" && (SKIP_TOP.has(e.name) || e.name.startsWith(".previous-") || e.name.startsWith(".restore-")))
      continue;
    // Temp files of atomic writes (`x.json.123.tmp`) are half-written by definition.
    if (e.name.endsWith(".tmp") || !isSafePath(path)) continue;
    if (e.isDirectory()) out.push(...(await dataFiles(dataDir, path)));
    else if (e.isFile()) out.push(path);
  }
  return out.sort();
}

async function* archive(
  items: { path: string; source: string | Buffer; mode: number; mtimeMs: number }[],
  files: ManifestFile[],
  manifest: (files: ManifestFile[]) => Buffer,
): AsyncGenerator<Buffer> {
  for (const it of items) {
    const hash = createHash("sha256");
    let size: number;
    if (typeof it.source === "string") {
      size = (await stat(it.source)).size;
      yield fileHeader(it.path, size, it.mode, it.mtimeMs);
      let seen = 0;
      // The database copy is private to this backup: its size cannot change while it is read.
      for await (const chunk of createReadStream(it.source) as AsyncIterable<Buffer>) {
        seen += chunk.length;
        hash.update(chunk);
        yield chunk;
      }
      if (seen !== size) throw new Error(`${it.path} changed while it was archived`);
    } else {
      size = it.source.length;
      hash.update(it.source);
      yield fileHeader(it.path, size, it.mode, it.mtimeMs);
      yield it.source;
    }
    yield padding(size);
    files.push({ path: it.path, bytes: size, sha256: hash.digest("hex"), mode: it.mode & 0o777 });
  }
  const m = manifest(files);
  yield fileHeader(MANIFEST_FILE, m.length, 0o644, Date.now());
  yield m;
  yield padding(m.length);
  yield END_OF_ARCHIVE;
}

/**
 * A consistent backup of a running server's data dir as .tar.gz (docs/deployment.md "Backup and
 * restore"): the SQLite store through its online backup API, every other file of the data dir
 * (users, fleet secret, host key, webhooks, certificates …) as it is — they are replaced by
 * atomic renames, so each copy is whole — and last `manifest.json` with the sha256 of each file.
 * The archive is written under a temporary name and renamed into place when complete.
 */
export async function makeBackup(deps: BackupDeps, outFile: string): Promise<BackupManifest> {
  const now = deps.now ?? Date.now;
  const work = join(deps.dataDir, BACKUPS_DIR, `.work-${randomBytes(6).toString("hex")}`);
  await mkdir(work, { recursive: true, mode: 0o700 });
  try {
    const dbCopy = join(work, DB_FILE);
    await deps.backupDb(dbCopy);
    const items: { path: string; source: string | Buffer; mode: number; mtimeMs: number }[] = [
      { path: DB_FILE, source: dbCopy, mode: 0o600, mtimeMs: now() },
    ];
    for (const rel of await dataFiles(deps.dataDir)) {
      const abs = join(deps.dataDir, rel);
      try {
        // Read whole: these files are small and replaced atomically, never written in place.
        const [content, st] = await Promise.all([readFile(abs), stat(abs)]);
        items.push({ path: rel, source: content, mode: st.mode, mtimeMs: st.mtimeMs });
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
    }
    let manifest: BackupManifest | null = null;
    const createdAt = now();
    const files: ManifestFile[] = [];
    const tmpOut = `${outFile}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    const build = (list: ManifestFile[]) => {
      manifest = { format: "bbb-backup", version: 1, createdAt, serverVersion: deps.version, files: list };
      return Buffer.from(JSON.stringify(manifest, null, 2) + "\n");
    };
    try {
      await pipeline(
        Readable.from(archive(items, files, build)),
        createGzip({ level: 6 }),
        createWriteStream(tmpOut, { mode: 0o600 }),
      );
      await rename(tmpOut, outFile);
    } catch (e: unknown) {
      await rm(tmpOut, { force: true });
      throw e;
    }
    if (!manifest) throw new Error("backup manifest missing");
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
