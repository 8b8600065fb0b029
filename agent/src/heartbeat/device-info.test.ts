import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { WatchDir } from "../system/file-changes.js";
import { createRootedFs } from "../system/rooted-fs.js";
import { createDeviceInfo, DEVICE_JSON_PATH } from "./device-info.js";

describe("createDeviceInfo", () => {
  let root = "";
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("looks at /opt/device.json again only when the watch of /opt names it", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-device-info-"));
    await mkdir(join(root, "opt"));
    const file = join(root, "opt/device.json");
    await writeFile(file, JSON.stringify({ device: 4, details: "MBTemps connected [1, 2]" }));
    let onEntry: (name: string | null) => void = () => {};
    let closed = 0;
    const watchDir: WatchDir = (_dir, entry) => {
      onEntry = entry;
      return { close: () => void closed++ };
    };
    const info = createDeviceInfo(createRootedFs(root), DEVICE_JSON_PATH, watchDir);
    expect(info.get()).toEqual({ type: "mbtemp", details: "MBTemps connected [1, 2]" });
    // Rewritten with a new mtime but not (yet) reported: the beat keeps what it has, no stat.
    await writeFile(file, JSON.stringify({ device: 7, details: "SPIxCONV board 3" }));
    const later = new Date(Date.now() + 5000);
    await utimes(file, later, later);
    expect(info.get()).toMatchObject({ type: "mbtemp" });
    onEntry("device.json");
    expect(info.get()).toEqual({ type: "spixconv", details: "SPIxCONV board 3" });
    info.close();
    expect(closed).toBe(1);
  });
});
