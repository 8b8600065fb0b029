import { closeSync, openSync, readSync, statSync } from "node:fs";
import { deviceJsonSchema, deviceTypeName } from "@bbb/shared";
import { createFileChanges, inotifyWatchDir, type WatchDir } from "../system/file-changes.js";
import type { RootedFs } from "../system/rooted-fs.js";

export const DEVICE_JSON_PATH = "/opt/device.json";

export interface DeviceInfo {
  type: string;
  details?: string;
}

/**
 * /opt/device.json written by the boards' identification script. Watched cheaply: asked at
 * every beat, it is looked at only after the watch of /opt named it (file-changes.ts; at every
 * call where /opt cannot be watched), then with one synchronous stat (no thread-pool round trip,
 * no error object when the file is missing), and re-read and re-parsed only when its mtime
 * changed. `close()` drops the watch.
 */
export function createDeviceInfo(fs: RootedFs, path = DEVICE_JSON_PATH, watchDir: WatchDir = inotifyWatchDir) {
  const hostPath = fs.resolve(path);
  const changes = createFileChanges(fs, path, watchDir);
  let lastMtime: number | null = null;
  let cached: DeviceInfo | null = null;
  const mtimeOf = (): number | null => {
    try {
      return statSync(hostPath, { throwIfNoEntry: false })?.mtimeMs ?? null;
    } catch {
      return null;
    }
  };
  const readText = (): string | null => {
    let fd = -1;
    try {
      fd = openSync(hostPath, "r");
      const b = Buffer.allocUnsafe(8192);
      return b.toString("utf8", 0, readSync(fd, b, 0, b.length, 0));
    } catch {
      return null;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  };
  return {
    get(): DeviceInfo | null {
      if (!changes.changed()) return cached;
      const mtime = mtimeOf();
      if (mtime === lastMtime) return cached;
      lastMtime = mtime;
      cached = null;
      if (mtime === null) return null;
      const text = readText();
      if (text === null) return null;
      try {
        const r = deviceJsonSchema.safeParse(JSON.parse(text));
        if (r.success) {
          cached = { type: deviceTypeName(r.data.device) };
          if (r.data.details) cached.details = r.data.details;
        }
      } catch {
        // A half-written file from the identification script: try again at its next mtime.
      }
      return cached;
    },
    close: () => changes.close(),
  };
}
