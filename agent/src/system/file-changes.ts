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

export interface FileChanges {
  /**
   * True when the file may have changed since the previous call: at the first call, after the
   * watch reported its name, and at every call while its directory cannot be watched.
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
 * without a watch. So does a file that is a symlink (resolvconf's /etc/resolv.conf →
 * /run/resolvconf/resolv.conf): its target changes with no event in the link's directory.
 */
export function createFileChanges(fs: RootedFs, file: string, watchDir: WatchDir = inotifyWatchDir): FileChanges {
  const host = fs.resolve(file);
  const name = path.basename(host);
  return watchEntries(
    path.dirname(host),
    (entry) => entry === null || entry === name,
    watchDir,
    () => isSymlink(host),
  );
}

/**
 * createFileChanges for every entry of a directory (systemd-networkd's /etc/systemd/network,
 * whose files are all read to find the one that matches): changed when any entry was written,
 * added, removed or renamed. Not recursive.
 */
export function createDirChanges(fs: RootedFs, dir: string, watchDir: WatchDir = inotifyWatchDir): FileChanges {
  return watchEntries(
    fs.resolve(dir),
    () => true,
    watchDir,
    () => false,
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
): FileChanges {
  let state: "unwatched" | "watching" | "polling" = "unwatched";
  let dirty = true;
  let watcher: { close(): void } | null = null;
  const unwatch = () => {
    watcher?.close();
    watcher = null;
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
          state = "polling";
        },
      );
      state = "watching";
    } catch {
      state = "polling";
    }
  };
  return {
    changed() {
      if (state === "unwatched") start();
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
