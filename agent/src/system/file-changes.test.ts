import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createFileChanges, type WatchDir } from "./file-changes.js";
import { createRootedFs } from "./rooted-fs.js";

/** A watch whose events the test sends by hand; records what was watched and closed. */
function handWatch() {
  const w = { dirs: [] as string[], closed: 0, entry: (_n: string | null) => {}, error: () => {} };
  const watchDir: WatchDir = (dir, onEntry, onError) => {
    w.dirs.push(dir);
    w.entry = onEntry;
    w.error = onError;
    return { close: () => void w.closed++ };
  };
  return { w, watchDir };
}

describe("createFileChanges", () => {
  let root = "";
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("says changed once at first, then only when its directory names the file", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-file-changes-"));
    const { w, watchDir } = handWatch();
    const c = createFileChanges(createRootedFs(root), "/etc/hostname", watchDir);
    expect(c.changed()).toBe(true);
    expect(w.dirs).toEqual([join(root, "etc")]);
    expect(c.changed()).toBe(false);
    w.entry("hosts");
    w.entry("hostname.tmp-1234");
    expect(c.changed()).toBe(false);
    w.entry("hostname");
    w.entry("hostname");
    expect(c.changed()).toBe(true);
    expect(c.changed()).toBe(false);
    // A platform that gives no name: anything may have changed.
    w.entry(null);
    expect(c.changed()).toBe(true);
    c.close();
    expect(w.closed).toBe(1);
    // Watched again after close, and the first answer is a change.
    expect(c.changed()).toBe(true);
    expect(w.dirs).toHaveLength(2);
    c.close();
  });

  it("says changed at every call when the directory cannot be watched or the watch breaks", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-file-changes-"));
    const fs = createRootedFs(root);
    // No /opt at all: the real inotify watch throws.
    const missing = createFileChanges(fs, "/opt/device.json");
    expect([missing.changed(), missing.changed(), missing.changed()]).toEqual([true, true, true]);
    missing.close();
    const { w, watchDir } = handWatch();
    const broken = createFileChanges(fs, "/opt/device.json", watchDir);
    expect([broken.changed(), broken.changed()]).toEqual([true, false]);
    w.error();
    expect(w.closed).toBe(1);
    expect([broken.changed(), broken.changed()]).toEqual([true, true]);
    broken.close();
  });

  it("hears a file written in place and one replaced by rename through inotify", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-file-changes-"));
    await mkdir(join(root, "etc"));
    await mkdir(join(root, "opt"));
    await writeFile(join(root, "etc/hostname"), "bbb-a\n");
    await writeFile(join(root, "opt/device.json"), "{}");
    const fs = createRootedFs(root);
    const inPlace = createFileChanges(fs, "/etc/hostname");
    const renamed = createFileChanges(fs, "/opt/device.json");
    expect([inPlace.changed(), inPlace.changed(), renamed.changed(), renamed.changed()]).toEqual([true, false, true, false]);
    await writeFile(join(root, "etc/hostname"), "bbb-b\n");
    await vi.waitFor(() => expect(inPlace.changed()).toBe(true));
    await writeFile(join(root, "opt/device.json.new"), '{"device":4}');
    await rename(join(root, "opt/device.json.new"), join(root, "opt/device.json"));
    await vi.waitFor(() => expect(renamed.changed()).toBe(true));
    inPlace.close();
    renamed.close();
  });
});
