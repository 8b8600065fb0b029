import { deviceJsonSchema, deviceTypeName } from "@bbb/shared";
import type { RootedFs } from "../system/rooted-fs.js";

export const DEVICE_JSON_PATH = "/opt/device.json";

export interface DeviceInfo {
  type: string;
  details?: string;
}

/**
 * /opt/device.json written by the boards' identification script (FIELD.md). Watched cheaply:
 * one stat per call, a re-read and re-parse only when its mtime changed.
 */
export function createDeviceInfo(fs: RootedFs, path = DEVICE_JSON_PATH) {
  let lastMtime: number | null = null;
  let cached: DeviceInfo | null = null;
  return {
    async get(): Promise<DeviceInfo | null> {
      const mtime = await fs.mtimeMs(path);
      if (mtime === lastMtime) return cached;
      lastMtime = mtime;
      cached = null;
      if (mtime === null) return null;
      const text = await fs.tryReadSmall(path, 8192);
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
  };
}
