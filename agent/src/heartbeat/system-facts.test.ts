import { readdirSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRootedFs } from "../system/rooted-fs.js";
import { createFastFactsReader } from "./system-facts.js";

const openFds = () => readdirSync("/proc/self/fd").length;

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
    const before = openFds();
    const reader = createFastFactsReader(createRootedFs(root), () => 5);
    expect(reader.read()).toEqual({ uptime: 100, load1: 0.12, memUsedPct: 75, tempC: 47.3, hostname: "bbb-a" });
    // Four kept: uptime, loadavg, meminfo, temp; the hostname file is not.
    expect(openFds()).toBe(before + 4);
    // Rewritten in place (as the kernel regenerates them): the next read sees the new text.
    await writeFile(join(root, "/proc/uptime"), "101.9 90.2\n");
    // Replaced by rename (as set-hostname does): read afresh.
    await writeFile(join(root, "/etc/hostname.new"), "bbb-b\n");
    await rename(join(root, "/etc/hostname.new"), join(root, "/etc/hostname"));
    expect(reader.read()).toMatchObject({ uptime: 102, hostname: "bbb-b" });
    expect(openFds()).toBe(before + 4);
    reader.close();
    expect(openFds()).toBe(before);
    // Read again after close: opened again; a missing file is left out and found once it appears.
    await unlink(join(root, "/sys/class/thermal/thermal_zone0/temp"));
    expect(reader.read()).not.toHaveProperty("tempC");
    await put("/sys/class/thermal/thermal_zone0/temp", "50000\n");
    expect(reader.read()).toMatchObject({ tempC: 50 });
    reader.close();
    expect(openFds()).toBe(before);
  });

  it("falls back to the process uptime and an empty hostname when nothing can be read", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-fast-facts-"));
    const reader = createFastFactsReader(createRootedFs(root), () => 41.6);
    expect(reader.read()).toEqual({ uptime: 42, hostname: "" });
    reader.close();
  });
});
