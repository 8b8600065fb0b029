import { createHash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

export type LocalEntry =
  { kind: "file"; st: Stats } | { kind: "dir"; st: Stats } | { kind: "link"; target: string } | { kind: "other" };

/** Every entry under `root` by relative path, without following symlinks; empty when root is missing. */
export async function scanLocal(root: string, signal?: AbortSignal): Promise<Map<string, LocalEntry>> {
  const out = new Map<string, LocalEntry>();
  async function walk(rel: string): Promise<void> {
    signal?.throwIfAborted();
    let names: string[];
    try {
      names = await readdir(rel ? join(root, rel) : root);
    } catch (e: unknown) {
      if (rel === "" && (e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const name of names.sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(root, r));
      if (st.isDirectory()) {
        out.set(r, { kind: "dir", st });
        await walk(r);
      } else if (st.isFile()) out.set(r, { kind: "file", st });
      else if (st.isSymbolicLink()) out.set(r, { kind: "link", target: await readlink(join(root, r)) });
      else out.set(r, { kind: "other" });
    }
  }
  await walk("");
  return out;
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { signal })) h.update(chunk as Buffer);
  return h.digest("hex");
}

export interface HashCacheEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

/**
 * sha256 of local files, remembered by size + mtime + inode: a second sync of an unchanged
 * 50 MB tree costs a stat per file, not a full read (the board has one slow core and eMMC).
 */
export function createHashCache(initial: Record<string, HashCacheEntry> = {}) {
  const entries = new Map(Object.entries(initial));
  return {
    async hash(rel: string, abs: string, st: Stats, signal?: AbortSignal): Promise<string> {
      const c = entries.get(rel);
      if (c && c.size === st.size && c.mtimeMs === st.mtimeMs && c.ino === st.ino) return c.sha256;
      const sha256 = await sha256File(abs, signal);
      entries.set(rel, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256 });
      return sha256;
    },
    remember(rel: string, st: Stats, sha256: string) {
      entries.set(rel, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256 });
    },
    /** Keeps only the given paths (the files of the tree just installed). */
    retain(paths: ReadonlySet<string>) {
      for (const k of [...entries.keys()]) if (!paths.has(k)) entries.delete(k);
    },
    toJSON: (): Record<string, HashCacheEntry> => Object.fromEntries(entries),
  };
}
export type HashCache = ReturnType<typeof createHashCache>;
