import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NetBackend, NetState } from "../backends/net/types.js";
import type { SystemdBackend } from "../backends/systemd.js";
import { createRootedFs, type RootedFs } from "../system/rooted-fs.js";
import { createSlowFacts, DISK_MAX_AGE_MS } from "./slow-facts.js";

/** Slow facts of an eth0 with no services and nothing to run, on `fs` and `net`. */
function slowFactsOn(fs: RootedFs, net: NetBackend, now?: () => number) {
  return createSlowFacts({
    fs,
    exec: () => Promise.reject(new Error("nothing to run")),
    net,
    iface: "eth0",
    interfaces: () => ({}),
    systemd: {} as SystemdBackend,
    services: [],
    intervalMs: 5000,
    log: pino({ level: "silent" }),
    ...(now ? { now } : {}),
    timeSyncPollMs: 30_000,
  });
}

/** A backend whose read() the test releases by hand, reporting what its state is at that time. */
function gatedBackend() {
  const g = { mode: "dhcp" as NetState["mode"], reads: 0, release: [] as (() => void)[] };
  const net: NetBackend = {
    kind: "ip",
    async read() {
      g.reads++;
      await new Promise<void>((r) => g.release.push(r));
      return { mode: g.mode, nameservers: [] };
    },
    setIp: () => Promise.resolve(),
    setNameservers: () => Promise.resolve(),
    snapshot: () => Promise.resolve(() => Promise.resolve()),
  };
  return { g, net };
}

const releaseAll = async (g: { release: (() => void)[] }) => {
  for (let i = 0; i < 20; i++) {
    g.release.splice(0).forEach((r) => r());
    await new Promise((r) => setImmediate(r));
  }
};

describe("slow facts", () => {
  let root = "";
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("runs an action's refresh after a poll that was already reading, so the change is not missed", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-slow-facts-"));
    const { g, net } = gatedBackend();
    const slow = slowFactsOn(createRootedFs(root), net);
    const timerPoll = slow.poll();
    await vi.waitFor(() => expect(g.reads).toBe(1));
    // The action changed the configuration after the timer's poll read the old one.
    g.mode = "manual";
    const refreshed = slow.refresh();
    // A second timer poll while one runs is dropped.
    void slow.poll();
    const done = Promise.all([timerPoll, refreshed]);
    await releaseAll(g);
    await done;
    expect(g.reads).toBe(2);
    expect(slow.get().net?.mode).toBe("manual");
    slow.stop();
  });

  it("asks the disk usage every DISK_MAX_AGE_MS, and at once after an action", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-slow-facts-"));
    const real = createRootedFs(root);
    const disk = { statfs: 0, bfree: 600 };
    const fs: RootedFs = {
      ...real,
      statfs: () => {
        disk.statfs++;
        return Promise.resolve({ blocks: 1000, bfree: disk.bfree, bavail: disk.bfree, bsize: 4096 });
      },
    };
    let t = 1_000_000;
    const net: NetBackend = {
      kind: "ip",
      read: () => Promise.resolve({ mode: "manual", nameservers: [] }),
      setIp: () => Promise.resolve(),
      setNameservers: () => Promise.resolve(),
      snapshot: () => Promise.resolve(() => Promise.resolve()),
    };
    const slow = slowFactsOn(fs, net, () => t);
    await slow.poll();
    expect(disk.statfs).toBe(1);
    expect(slow.get().diskUsedPct).toBe(40);
    // Polls within the interval report the last answer without asking.
    disk.bfree = 500;
    for (let i = 0; i < 5; i++) {
      t += 5000;
      await slow.poll();
    }
    expect(disk.statfs).toBe(1);
    expect(slow.get().diskUsedPct).toBe(40);
    t += DISK_MAX_AGE_MS - 25_000;
    await slow.poll();
    expect(disk.statfs).toBe(2);
    expect(slow.get().diskUsedPct).toBe(50);
    // An action (a project sync wrote files): read at once, and the interval starts again.
    disk.bfree = 400;
    t += 5000;
    await slow.refresh();
    expect(disk.statfs).toBe(3);
    expect(slow.get().diskUsedPct).toBe(60);
    t += 5000;
    await slow.poll();
    expect(disk.statfs).toBe(3);
    // A clock set back: asked again rather than trusted for the length of the jump.
    t -= 3_600_000;
    await slow.poll();
    expect(disk.statfs).toBe(4);
    slow.stop();
  });
});
