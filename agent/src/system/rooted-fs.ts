import { closeSync, openSync, readSync, statfsSync, statSync } from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "@bbb/shared/node";

/**
 * Every system path of the agent (/proc, /sys, /etc, /opt, /var/lib) goes through this root
 * prefix, so tests, the demo and the simulator run the real code against a fake root
 * (the balena-supervisor host-utils model).
 */
export interface RootedFs {
  readonly root: string;
  /** Host path of a system path: join(root, p). Refuses relative paths and `..` escapes. */
  resolve(p: string): string;
  /**
   * Reads at most maxBytes with one small synchronous read (/proc, /sys and small files under
   * /etc, polled every few seconds): no thread-pool round trips and wake-ups for a few hundred
   * bytes (CPU per heartbeat, BENCHMARKS.md §"Agent footprint").
   */
  readSmall(p: string, maxBytes?: number): Promise<string>;
  /** readSmall, or null when the file does not exist or cannot be read. */
  tryReadSmall(p: string, maxBytes?: number): Promise<string | null>;
  /** tryReadSmall without the promise, for the heartbeat's synchronous path. */
  tryReadSmallSync(p: string, maxBytes?: number): string | null;
  readText(p: string): Promise<string>;
  tryReadText(p: string): Promise<string | null>;
  /** Temp file + fsync + rename + folder fsync (`@bbb/shared/node`): readers never see half a file. */
  writeAtomic(p: string, data: string, mode?: number): Promise<void>;
  /** In-place write, for sysfs attributes, which cannot be renamed over. */
  writeInPlace(p: string, data: string): Promise<void>;
  /**
   * One synchronous stat (flag files polled every few seconds, e.g. timesyncd's): no thread-pool
   * round trip, and a missing file is an answer, not an Error with its stack.
   */
  exists(p: string): Promise<boolean>;
  isSymlink(p: string): Promise<boolean>;
  mtimeMs(p: string): Promise<number | null>;
  readdir(p: string): Promise<string[]>;
  mkdirp(p: string): Promise<void>;
  remove(p: string): Promise<void>;
  statfs(p: string): Promise<{ blocks: number; bfree: number; bavail: number; bsize: number } | null>;
}

export function createRootedFs(rootPrefix: string): RootedFs {
  const root = path.resolve(rootPrefix);
  const resolve = (p: string): string => {
    if (!p.startsWith("/")) throw new Error(`system path must be absolute: ${p}`);
    const normal = path.posix.normalize(p);
    if (normal.split("/").includes("..")) throw new Error(`system path escapes the root: ${p}`);
    return root === "/" ? normal : path.join(root, normal);
  };
  const readSmallSync = (p: string, maxBytes: number): string => {
    const fd = openSync(resolve(p), "r");
    try {
      const buf = Buffer.allocUnsafe(maxBytes);
      return buf.toString("utf8", 0, readSync(fd, buf, 0, maxBytes, 0));
    } finally {
      closeSync(fd);
    }
  };
  // A rejected promise (not a throw) when the file is missing, like the promise API.
  const readSmall = (p: string, maxBytes = 16 * 1024): Promise<string> => {
    try {
      return Promise.resolve(readSmallSync(p, maxBytes));
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  };
  const orNull = async <T>(f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch {
      return null;
    }
  };
  return {
    root,
    resolve,
    readSmall,
    tryReadSmall: (p, maxBytes) => orNull(() => readSmall(p, maxBytes)),
    tryReadSmallSync: (p, maxBytes = 16 * 1024) => {
      try {
        return readSmallSync(p, maxBytes);
      } catch {
        return null;
      }
    },
    readText: (p) => fsp.readFile(resolve(p), "utf8"),
    tryReadText: (p) => orNull(() => fsp.readFile(resolve(p), "utf8")),
    writeAtomic: (p, data, mode = 0o644) => writeFileAtomic(resolve(p), data, mode),
    writeInPlace: (p, data) => fsp.writeFile(resolve(p), data, "utf8"),
    exists: (p) => {
      try {
        return Promise.resolve(statSync(resolve(p), { throwIfNoEntry: false }) !== undefined);
      } catch {
        // Not ENOENT (ENOTDIR, EACCES, a relative path): not there for the caller either.
        return Promise.resolve(false);
      }
    },
    isSymlink: async (p) => (await orNull(() => fsp.lstat(resolve(p))))?.isSymbolicLink() ?? false,
    mtimeMs: async (p) => (await orNull(() => fsp.stat(resolve(p))))?.mtimeMs ?? null,
    readdir: async (p) => (await orNull(() => fsp.readdir(resolve(p)))) ?? [],
    mkdirp: async (p) => {
      await fsp.mkdir(resolve(p), { recursive: true });
    },
    remove: (p) => fsp.rm(resolve(p), { force: true }),
    // Synchronous like readSmall: one statfs(2) of the root, answered from memory.
    statfs: async (p) => {
      const s = await orNull(() => Promise.resolve().then(() => statfsSync(resolve(p))));
      return s ? { blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, bsize: s.bsize } : null;
    },
  };
}
