import { lstatSync, watch } from "node:fs";
import * as path from "node:path";
import type { RootedFs } from "./rooted-fs.js";

/**
 * Watches one directory: `onEntry` gets the name of every entry that changed (null when the
 * platform does not say), `onError` a watch that broke. Throws when the directory cannot be
 * watched (it does not exist, no inotify watches left).
 */
export type WatchDir = (dir: string, onEntry: (name: string | null) => void, onError: () => void) => { close(): void };

/** inotify through fs.watch, not keeping the process alive. */
export const inotifyWatchDir: WatchDir = (dir, onEntry, onError) => {
  const w = watch(dir, { persistent: false }, (_event, name) => onEntry(typeof name === "string" ? name : null));
  w.on("error", onError);
  return w;
};

/**
 * How often a directory that could not be watched (it did not exist yet, no inotify watches were
 * left, the watch broke) is tried again; its files are read at every call meanwhile. One minute:
 * a folder made after boot (a DHCP client's lease folder, /opt) is watched within a minute, and
 * a folder that never appears costs one failed inotify_add_watch a minute.
 */
export const WATCH_RETRY_MS = 60_000;

export interface FileChanges {
  /**
   * True when the file may have changed since the previous call: at the first call, after the
   * watch reported its name, at every call while its directory cannot be watched, and at the
   * call whose retry (WATCH_RETRY_MS) put a watch in place.
   */
  changed(): boolean;
  /** Whether a watch is in place (after the first changed()): false while every call says changed. */
  watching(): boolean;
  /** Drops the watch; the next changed() watches again and says true. */
  close(): void;
}

/**
 * Change detection for a small system file the heartbeat reports and that rarely changes
 * (/etc/hostname, /opt/device.json): the kernel tells of a change (inotify), so an unchanged file
 * costs no system call per beat instead of an open/read/close or a stat (CPU per heartbeat,
 * BENCHMARKS.md §"Agent footprint"). The directory is watched, not the file: set-hostname and
 * hostnamectl replace /etc/hostname by rename, which a watch on the old inode would not follow,
 * while the directory reports the new entry under the same name. A change is seen once the
 * event loop has taken the event, before the next beat in practice. Where the directory cannot
 * be watched, or the watch breaks, every call says changed: the caller reads each time, as
 * without a watch, and the watch is tried again every WATCH_RETRY_MS (`now`: the clock of those
 * retries). So does a file that is a symlink (resolvconf's /etc/resolv.conf →
 * /run/resolvconf/resolv.conf): its target changes with no event in the link's directory.
 */
export function createFileChanges(
  fs: RootedFs,
  file: string,
  watchDir: WatchDir = inotifyWatchDir,
  now: () => number = Date.now,
): FileChanges {
  const host = fs.resolve(file);
  const name = path.basename(host);
  return watchEntries(
    path.dirname(host),
    (entry) => entry === null || entry === name,
    watchDir,
    () => isSymlink(host),
    now,
  );
}

/**
 * createFileChanges for every entry of a directory (systemd-networkd's /etc/systemd/network,
 * whose files are all read to find the one that matches): changed when any entry was written,
 * added, removed or renamed. Not recursive.
 */
export function createDirChanges(
  fs: RootedFs,
  dir: string,
  watchDir: WatchDir = inotifyWatchDir,
  now: () => number = Date.now,
): FileChanges {
  return watchEntries(
    fs.resolve(dir),
    () => true,
    watchDir,
    () => false,
    now,
  );
}

/** lstat without an exception for a missing file (a thrown Error costs its stack). */
function isSymlink(host: string): boolean {
  try {
    return lstatSync(host, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
  } catch {
    return false;
  }
}

function watchEntries(
  hostDir: string,
  concerns: (entry: string | null) => boolean,
  watchDir: WatchDir,
  followsLink: () => boolean,
  now: () => number,
): FileChanges {
  let state: "unwatched" | "watching" | "polling" = "unwatched";
  let dirty = true;
  let watcher: { close(): void } | null = null;
  /** When the last watch failed to start or broke: the next try is WATCH_RETRY_MS later. */
  let failedAt = -Infinity;
  const unwatch = () => {
    watcher?.close();
    watcher = null;
  };
  const poll = () => {
    state = "polling";
    failedAt = now();
  };
  const start = () => {
    try {
      watcher = watchDir(
        hostDir,
        (entry) => {
          if (concerns(entry)) dirty = true;
        },
        () => {
          unwatch();
          poll();
        },
      );
      state = "watching";
      // Whatever changed while unwatched was not heard: the caller reads once more.
      dirty = true;
    } catch {
      poll();
    }
  };
  const retryDue = () => {
    const t = now();
    // A clock set back: tried now rather than after the length of the jump.
    return t - failedAt >= WATCH_RETRY_MS || t < failedAt;
  };
  return {
    changed() {
      if (state === "unwatched" || (state === "polling" && retryDue())) start();
      if (state === "polling") return true;
      if (!dirty) return false;
      // Cleared before the caller reads: a change made during its read sets it again. A symlink
      // stays dirty (looked at again at every call) until an event shows it replaced.
      if (!followsLink()) dirty = false;
      return true;
    },
    watching: () => state === "watching",
    close() {
      unwatch();
      state = "unwatched";
      dirty = true;
    },
  };
}
