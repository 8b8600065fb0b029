/// <reference types="node" />
import { randomBytes } from "node:crypto";
import { link, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

async function writeTemp(file: string, data: string | Uint8Array, mode: number): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = tempPath(file);
  const fh = await open(tmp, "wx", mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode);
    await fh.sync();
  } catch (e: unknown) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  return tmp;
}

/** Makes the rename itself durable; some filesystems refuse fsync on a directory, which is harmless. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

/**
 * Writes a file atomically: temp file in the same folder + fsync + rename + fsync of the folder,
 * so readers (and a board after a power cut) see the old file or the new one, never half.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = await writeTemp(file, data, mode);
  try {
    await rename(tmp, file);
  } catch (e: unknown) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dirname(file));
}

/**
 * Creates a file with complete contents only if it does not exist yet (hard link of a synced
 * temp file: atomic and never overwrites). Returns false when another writer got there first.
 */
export async function createFileExclusive(file: string, data: string | Uint8Array, mode = 0o600): Promise<boolean> {
  const tmp = await writeTemp(file, data, mode);
  try {
    await link(tmp, file);
    await syncDir(dirname(file));
    return true;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
