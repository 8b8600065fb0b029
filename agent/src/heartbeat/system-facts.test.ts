import { readdirSync, readlinkSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { WatchDir } from "../system/file-changes.js";
import { createRootedFs } from "../system/rooted-fs.js";
import { createFastFactsReader } from "./system-facts.js";

/** Descriptors of this process open on files under `dir` (not the test runner's own). */
const fdsUnder = (dir: string) =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`);
    } catch {
      return false;
    }
  }).length;

describe("createFastFactsReader", () => {
  let root = "";
  afterEach(() => rm(root, { recursive: true, force: true }));

  const put = async (p: string, text: string) => {
    await mkdir(join(root, p, ".."), { recursive: true });
    await writeFile(join(root, p), text);
  };

  it("keeps the procfs and sysfs files open, sees every rewrite, and gives the descriptors back on close", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-fast-facts-"));
    await put("/proc/uptime", "100.42 90.1\n");
    await put("/proc/loadavg", "0.12 0.08 0.05 1/93 1234\n");
    await put("/proc/meminfo", "MemTotal: 1000 kB\nMemAvailable: 250 kB\n");
    await put("/sys/class/thermal/thermal_zone0/temp", "47250\n");
    await put("/etc/hostname", "bbb-a\n");
    const reader = createFastFactsReader(createRootedFs(root), () => 5);
    expect(reader.read()).toEqual({ uptime: 100, load1: 0.12, memUsedPct: 75, tempC: 47.3, hostname: "bbb-a" });
    // Four kept: uptime, loadavg, meminfo, temp; the hostname file is not.
    expect(fdsUnder(root)).toBe(4);
    // Rewritten in place (as the kernel regenerates them): the next read sees the new text.
    await writeFile(join(root, "/proc/uptime"), "101.9 90.2\n");
    expect(reader.read()).toMatchObject({ uptime: 102 });
    // Replaced by rename (as set-hostname does): read afresh once the watch of /etc names it.
    await writeFile(join(root, "/etc/hostname.new"), "bbb-b\n");
    await rename(join(root, "/etc/hostname.new"), join(root, "/etc/hostname"));
    await vi.waitFor(() => expect(reader.read()).toMatchObject({ hostname: "bbb-b" }));
    expect(fdsUnder(root)).toBe(4);
    reader.close();
    expect(fdsUnder(root)).toBe(0);
    // Read again after close: opened again; a missing file is left out and found once it appears.
    await unlink(join(root, "/sys/class/thermal/thermal_zone0/temp"));
    expect(reader.read()).not.toHaveProperty("tempC");
    await put("/sys/class/thermal/thermal_zone0/temp", "50000\n");
    expect(reader.read()).toMatchObject({ tempC: 50 });
    reader.close();
    expect(fdsUnder(root)).toBe(0);
  });

  it("reads /etc/hostname only when its directory's watch names it, and every time without a watch", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-fast-facts-"));
    await put("/etc/hostname", "bbb-a\n");
    let onEntry: (name: string | null) => void = () => {};
    const watchDir: WatchDir = (_dir, entry) => {
      onEntry = entry;
      return { close: () => undefined };
    };
    const reader = createFastFactsReader(createRootedFs(root), () => 5, watchDir);
    expect(reader.read().hostname).toBe("bbb-a");
    // Changed behind the watch's back: the beat keeps the name it has, no read.
    await writeFile(join(root, "/etc/hostname"), "bbb-b\n");
    expect(reader.read().hostname).toBe("bbb-a");
    onEntry("hosts");
    expect(reader.read().hostname).toBe("bbb-a");
    onEntry("hostname");
    expect(reader.read().hostname).toBe("bbb-b");
    reader.close();
    // No watch possible: read at every beat, as before there was one.
    const unwatched = createFastFactsReader(createRootedFs(root), () => 5, () => {
      throw new Error("ENOSPC");
    });
    expect(unwatched.read().hostname).toBe("bbb-b");
    await writeFile(join(root, "/etc/hostname"), "bbb-c\n");
    expect(unwatched.read().hostname).toBe("bbb-c");
    unwatched.close();
  });

  it("falls back to the process uptime and an empty hostname when nothing can be read", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-fast-facts-"));
    const reader = createFastFactsReader(createRootedFs(root), () => 41.6);
    expect(reader.read()).toEqual({ uptime: 42, hostname: "" });
    reader.close();
  });
});
