import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDirChanges, createFileChanges, inotifyWatchDir, WATCH_RETRY_MS, type WatchDir } from "./file-changes.js";
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
    expect([inPlace.changed(), inPlace.changed(), renamed.changed(), renamed.changed()]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    await writeFile(join(root, "etc/hostname"), "bbb-b\n");
    await vi.waitFor(() => expect(inPlace.changed()).toBe(true));
    await writeFile(join(root, "opt/device.json.new"), '{"device":4}');
    await rename(join(root, "opt/device.json.new"), join(root, "opt/device.json"));
    await vi.waitFor(() => expect(renamed.changed()).toBe(true));
    inPlace.close();
    renamed.close();
  });

  it("says changed at every call while the file is a symlink, whose target changes unseen", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-file-changes-"));
    await mkdir(join(root, "etc"));
    await mkdir(join(root, "run"));
    await writeFile(join(root, "run/resolv.conf"), "nameserver 10.0.0.1\n");
    await symlink("../run/resolv.conf", join(root, "etc/resolv.conf"));
    const { w, watchDir } = handWatch();
    const c = createFileChanges(createRootedFs(root), "/etc/resolv.conf", watchDir);
    expect([c.changed(), c.changed(), c.watching()]).toEqual([true, true, true]);
    // Replaced by a plain file: told by the watch, then quiet again.
    await unlink(join(root, "etc/resolv.conf"));
    await writeFile(join(root, "etc/resolv.conf"), "nameserver 10.0.0.2\n");
    w.entry("resolv.conf");
    expect([c.changed(), c.changed()]).toEqual([true, false]);
    c.close();
  });
});

describe("a watch that could not start", () => {
  let root = "";
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("is tried again every WATCH_RETRY_MS, not at every call, and after a watch broke", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-file-changes-"));
    const { w, watchDir } = handWatch();
    const tries = { n: 0, fail: true };
    const flaky: WatchDir = (dir, onEntry, onError) => {
      tries.n++;
      if (tries.fail) throw new Error("ENOENT: no such file or directory");
      return watchDir(dir, onEntry, onError);
    };
    let t = 1_000_000;
    const c = createFileChanges(createRootedFs(root), "/opt/device.json", flaky, () => t);
    for (let i = 0; i < 11; i++, t += 5000) expect([c.changed(), c.watching()]).toEqual([true, false]);
    expect(tries.n).toBe(1);
    t = 1_000_000 + WATCH_RETRY_MS;
    expect([c.changed(), c.watching()]).toEqual([true, false]);
    expect(tries.n).toBe(2);
    // The next try succeeds: watched, with one last "changed" for what went unheard meanwhile.
    tries.fail = false;
    t += WATCH_RETRY_MS;
    expect([c.changed(), c.watching(), c.changed()]).toEqual([true, true, false]);
    expect(tries.n).toBe(3);
    // Broken: every call says changed until the retry a minute later watches again.
    w.error();
    t += 1000;
    expect([c.changed(), c.watching()]).toEqual([true, false]);
    t += WATCH_RETRY_MS;
    expect([c.changed(), c.watching(), c.changed()]).toEqual([true, true, false]);
    expect(tries.n).toBe(4);
    c.close();
  });

  it("watches a folder made after start once the retry comes, and hears its changes", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-file-changes-"));
    let t = 1_000_000;
    const leases = createDirChanges(createRootedFs(root), "/run/systemd/netif/leases", inotifyWatchDir, () => t);
    const device = createFileChanges(createRootedFs(root), "/opt/device.json", inotifyWatchDir, () => t);
    expect([leases.changed(), leases.watching(), device.changed(), device.watching()]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    await mkdir(join(root, "run/systemd/netif/leases"), { recursive: true });
    await mkdir(join(root, "opt"));
    t += WATCH_RETRY_MS;
    expect([leases.changed(), leases.watching(), leases.changed()]).toEqual([true, true, false]);
    expect([device.changed(), device.watching(), device.changed()]).toEqual([true, true, false]);
    await writeFile(join(root, "run/systemd/netif/leases/2"), "ADDRESS=10.128.7.7\n");
    await vi.waitFor(() => expect(leases.changed()).toBe(true));
    await writeFile(join(root, "opt/device.json"), '{"device":4}');
    await vi.waitFor(() => expect(device.changed()).toBe(true));
    expect([leases.changed(), device.changed()]).toEqual([false, false]);
    leases.close();
    device.close();
  });
});

describe("createDirChanges", () => {
  let root = "";
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("says changed when any entry of the directory is written, added or removed", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-dir-changes-"));
    await mkdir(join(root, "etc/systemd/network"), { recursive: true });
    const dir = join(root, "etc/systemd/network");
    await writeFile(join(dir, "10-eth0.network"), "[Match]\nName=eth0\n");
    const c = createDirChanges(createRootedFs(root), "/etc/systemd/network");
    expect([c.changed(), c.changed(), c.watching()]).toEqual([true, false, true]);
    await writeFile(join(dir, "05-eth0.network"), "[Match]\nName=eth*\n");
    await vi.waitFor(() => expect(c.changed()).toBe(true));
    await rm(join(dir, "10-eth0.network"));
    await vi.waitFor(() => expect(c.changed()).toBe(true));
    c.close();
    // A directory that does not exist: every call says changed.
    const missing = createDirChanges(createRootedFs(root), "/run/systemd/netif/leases");
    expect([missing.changed(), missing.changed(), missing.watching()]).toEqual([true, true, false]);
    missing.close();
  });
});
