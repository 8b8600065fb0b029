import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@bbb/shared/node";
import { z } from "zod";
import type { FileChanges } from "../system/file-changes.js";
import type { HashCacheEntry } from "./local-tree.js";

/** What the agent remembers across restarts about the installed project. */
export const syncStateSchema = z.object({
  type: z.string().max(64),
  revision: z.string().max(64),
  overlay: z.string().max(128).nullable(),
  rcLocalHash: z.string().max(64).nullable(),
  syncedAt: z.number().int().nonnegative(),
});
export type SyncState = z.infer<typeof syncStateSchema>;

const hashesSchema = z.record(
  z.string(),
  z.object({ size: z.number(), mtimeMs: z.number(), ino: z.number(), sha256: z.string() }),
);

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch {
    return null;
  }
}

export function createSyncStateFiles(stateDir: string) {
  const statePath = join(stateDir, "project-sync.json");
  const hashesPath = join(stateDir, "project-hashes.json");
  return {
    loadState(): SyncState | null {
      const r = syncStateSchema.safeParse(readJson(statePath));
      return r.success ? r.data : null;
    },
    saveState: (s: SyncState) => writeFileAtomic(statePath, JSON.stringify(s), 0o644),
    loadHashes(): Record<string, HashCacheEntry> {
      const r = hashesSchema.safeParse(readJson(hashesPath));
      return r.success ? r.data : {};
    },
    saveHashes: (h: Record<string, HashCacheEntry>) => writeFileAtomic(hashesPath, JSON.stringify(h), 0o644),
  };
}

/**
 * sha256 of a file, re-read only when its size or mtime changed (asked at every heartbeat). A
 * missing file (no /etc/rc.local) is an answer, null, not an Error with its stack. With `changes`
 * (an inotify watch of its directory, system/file-changes.ts) it is not even stat'ed until the
 * watch names it; `fresh` looks anyway (the project sync, before it decides to install).
 */
export function createFileHashWatcher(path: string, changes?: FileChanges) {
  let cached: { size: number; mtimeMs: number; sha256: string } | null = null;
  /** Whether `cached` is an answer (null: no file); false after an error, so it is asked again. */
  let known = false;
  return (fresh = false): string | null => {
    // Asked first, before the stat: a change during it is told at the next call.
    const unchanged = changes?.changed() === false;
    if (unchanged && known && !fresh) return cached?.sha256 ?? null;
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      known = true;
      if (!st) {
        cached = null;
        return null;
      }
      if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached.sha256;
      const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
      cached = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
      return sha256;
    } catch {
      cached = null;
      known = false;
      return null;
    }
  };
}
