import { chmod, copyFile, link, lstat, mkdir, readdir, rename, rm, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Manifest, ManifestFile } from "./manifest.js";
import type { SyncPlan } from "./plan.js";
import type { SftpSource } from "./sftp-source.js";

/** Removes a tree even where its folders are read-only (a project may ship 0555 folders). */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch {
    const open = async (p: string): Promise<void> => {
      const st = await lstat(p).catch(() => null);
      if (!st?.isDirectory()) return;
      await chmod(p, 0o700);
      for (const n of await readdir(p)) await open(join(p, n));
    };
    await open(path);
    await rm(path, { recursive: true, force: true });
  }
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    // Filesystems without hard links (or EXDEV): a copy is slower but as good.
    await copyFile(from, to);
  }
}

/** Runs `work` over `items` with at most `n` at a time; the first failure stops the rest. */
async function pool<T>(
  items: readonly T[],
  n: number,
  signal: AbortSignal,
  work: (t: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const first: { error: Error | null } = { error: null };
  const worker = async () => {
    while (first.error === null && next < items.length) {
      signal.throwIfAborted();
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (e: unknown) {
        first.error ??= e instanceof Error ? e : new Error("transfer failed", { cause: e });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (first.error) throw first.error;
}

/**
 * Builds the complete new tree in `staging` (a sibling of `live`, same filesystem): unchanged
 * files hard-linked from the live tree, files with a new mode copied, changed files downloaded
 * and verified. The live tree is only read.
 */
export async function stageTree(opts: {
  live: string;
  staging: string;
  manifest: Manifest;
  plan: SyncPlan;
  source: SftpSource;
  remoteDir: string;
  signal: AbortSignal;
  concurrency: number;
  onFileDone: (f: ManifestFile) => void;
  onBytes: (n: number) => void;
}): Promise<void> {
  const { live, staging, manifest: m, plan, signal } = opts;
  await removeTree(staging);
  await mkdir(dirname(staging), { recursive: true });
  await mkdir(staging, { mode: 0o700 });
  for (const d of m.dirs) await mkdir(join(staging, d.path), { mode: 0o700 });
  for (const f of plan.keep) await linkOrCopy(join(live, f.path), join(staging, f.path));
  for (const f of plan.modeOnly) {
    await copyFile(join(live, f.path), join(staging, f.path));
    await chmod(join(staging, f.path), f.mode);
  }
  for (const l of m.links) await symlink(l.target, join(staging, l.path));
  await pool(plan.download, opts.concurrency, signal, async (f) => {
    await opts.source.download(`${opts.remoteDir}/${f.path}`, join(staging, f.path), f, signal, opts.onBytes);
    opts.onFileDone(f);
  });
  for (const d of [...m.dirs].reverse()) await chmod(join(staging, d.path), d.mode);
  await chmod(staging, 0o755);
}

/**
 * Puts the staged tree in place: live → old, staged → live, then the old tree goes. If the
 * second rename fails the old tree is put back, so the board keeps a whole project either way.
 */
export async function swapIn(live: string, staging: string): Promise<void> {
  const old = `${live}.sync-old`;
  await removeTree(old);
  let moved = false;
  try {
    await rename(live, old);
    moved = true;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    await mkdir(dirname(live), { recursive: true });
  }
  try {
    await rename(staging, live);
  } catch (e: unknown) {
    if (moved) await rename(old, live);
    throw e;
  }
  await removeTree(old);
}
