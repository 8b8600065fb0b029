import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ManagerErrorCodes } from "../errors.js";
import { CodedError } from "@bbb/shared";

/** `<dataDir>/server.lock`: which process runs on this data dir (restore refuses while it does). */
export const LOCK_FILE = "server.lock";

const lockSchema = z.object({ pid: z.number().int(), host: z.string(), startedAt: z.number() }).passthrough();
export type LockInfo = z.infer<typeof lockSchema>;

export type LockState =
  | { state: "free" }
  | { state: "stale"; lock: LockInfo }
  | { state: "held"; lock: LockInfo }
  /** Written on another host (another container): whether it still runs cannot be told from here. */
  | { state: "unknown"; lock: LockInfo };

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Reads the lock of a data dir without changing it. */
export function inspectLock(dataDir: string): LockState {
  let text: string;
  try {
    text = readFileSync(join(dataDir, LOCK_FILE), "utf8");
  } catch {
    return { state: "free" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const r = lockSchema.safeParse(parsed);
  if (!r.success) return { state: "stale", lock: { pid: 0, host: "", startedAt: 0 } };
  const lock = r.data;
  if (lock.host !== hostname()) return { state: "unknown", lock };
  // The same pid as ours is a lock left by an earlier life of this container (pid 1 again).
  if (lock.pid === process.pid || !alive(lock.pid)) return { state: "stale", lock };
  return { state: "held", lock };
}

/**
 * Takes the data dir's lock for this process: refuses when another live process on this host
 * holds it (two servers on one SQLite store would corrupt the registry's view). A stale lock
 * (crash, SIGKILL) or one from another host (a replaced container) is taken over.
 */
export function acquireDataLock(dataDir: string, info: Record<string, unknown> = {}) {
  const current = inspectLock(dataDir);
  if (current.state === "held") {
    throw new CodedError(
      ManagerErrorCodes.CONFLICT,
      `data dir ${dataDir} is in use by process ${current.lock.pid} (${LOCK_FILE})`,
    );
  }
  const file = join(dataDir, LOCK_FILE);
  writeFileSync(file, JSON.stringify({ ...info, pid: process.pid, host: hostname(), startedAt: Date.now() }) + "\n", {
    mode: 0o600,
  });
  let held = true;
  return {
    /** Adds what others may read (the broker URL `make demo` attaches to) to our lock. */
    annotate(more: Record<string, unknown>): void {
      if (!held) return;
      const now = inspectLock(dataDir);
      if (now.state === "free" || now.lock.pid !== process.pid) return;
      writeFileSync(file, JSON.stringify({ ...now.lock, ...more }) + "\n", { mode: 0o600 });
    },
    release(): void {
      if (!held) return;
      held = false;
      const now = inspectLock(dataDir);
      // Only our own lock: never remove one another process took over.
      if (now.state !== "free" && now.lock.pid === process.pid && now.lock.host === hostname())
        rmSync(file, { force: true });
    },
  };
}
