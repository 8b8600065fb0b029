import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createConnmanBackend } from "../backends/net/connman.js";
import { createIfupdownBackend } from "../backends/net/ifupdown.js";
import { createNetworkdBackend } from "../backends/net/networkd.js";
import { createFakeRoot, type FakeRoot } from "../sim/fake-root.js";
import type { NetBackend } from "../backends/net/types.js";
import { inotifyWatchDir, WATCH_RETRY_MS, type WatchDir } from "../system/file-changes.js";
import { createRootedFs, type RootedFs } from "../system/rooted-fs.js";
import type { Runner } from "../system/runner.js";
import { ADDR_MAX_AGE_MS, ADDR_SETTLE_MS, createNetFacts, type InterfacesFn } from "./net-facts.js";

const log = pino({ level: "silent" });
const run: Runner = () => Promise.reject(new Error("no program is run by a file backend"));

/** The rooted filesystem of `root`, counting the reads of each system path. */
function countingFs(root: string) {
  const fs = createRootedFs(root);
  const reads = new Map<string, number>();
  const count = (p: string) => reads.set(p, (reads.get(p) ?? 0) + 1);
  const counted: RootedFs = {
    ...fs,
    tryReadSmall: (p, max) => (count(p), fs.tryReadSmall(p, max)),
    tryReadText: (p) => (count(p), fs.tryReadText(p)),
    readdir: (p) => (count(p), fs.readdir(p)),
  };
  return { fs: counted, reads: (p: string) => reads.get(p) ?? 0 };
}

/** os.networkInterfaces() of one eth0 address, counting the calls. */
function fakeInterfaces(address: string) {
  const s = { address, calls: 0 };
  const interfaces: InterfacesFn = () => {
    s.calls++;
    const info = { address: s.address, netmask: "255.255.255.0", mac: "", internal: false, cidr: null };
    return { eth0: [{ ...info, family: "IPv4" as const }] };
  };
  return { s, interfaces };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

/** Network facts of one fake board: reads counted, the backend on the same fs, eth0's calls counted. */
function factsOf(
  root: string,
  backend: (fs: RootedFs) => NetBackend,
  o: { address: string; now?: () => number; watchDir?: WatchDir },
) {
  const { fs, reads } = countingFs(root);
  const { s, interfaces } = fakeInterfaces(o.address);
  const facts = createNetFacts({
    fs,
    net: backend(fs),
    iface: "eth0",
    interfaces,
    now: o.now ?? (() => 0),
    log,
    ...(o.watchDir ? { watchDir: o.watchDir } : {}),
  });
  return { facts, reads, s };
}

describe("network facts behind watches", () => {
  let fake: FakeRoot;
  afterEach(() => fake?.cleanup());

  it("reads connman's settings again only when the watch names them, and the MAC once", async () => {
    fake = await createFakeRoot({ index: 31, layout: "connman" });
    const settings = `/var/lib/connman/ethernet_${fake.boardId}_cable/settings`;
    const { facts, reads } = factsOf(fake.root, (fs) => createConnmanBackend({ fs, iface: "eth0" }), {
      address: fake.options.ip,
    });
    expect((await facts.read(run)).net).toMatchObject({ mode: "manual", ip: fake.options.ip });
    await settle();
    await facts.read(run);
    await facts.read(run);
    expect(reads(settings)).toBe(1);
    expect(reads("/sys/class/net/eth0/address")).toBe(1);
    // connman saves by rename (g_file_set_contents): the next poll after the event reads it.
    const host = join(fake.root, settings);
    await writeFile(`${host}.tmp`, `[x]\nIPv4.method=dhcp\nNameservers=10.0.0.9;\n`);
    await rename(`${host}.tmp`, host);
    await vi.waitFor(async () =>
      expect((await facts.read(run)).net).toEqual({ mode: "dhcp", nameservers: ["10.0.0.9"] }),
    );
    const after = reads(settings);
    await facts.read(run);
    expect(reads(settings)).toBe(after);
    facts.close();
  });

  it("reads networkd's directory again when any .network file changes", async () => {
    fake = await createFakeRoot({ index: 32, layout: "networkd" });
    const { facts, reads } = factsOf(fake.root, (fs) => createNetworkdBackend({ fs, iface: "eth0" }), {
      address: fake.options.ip,
    });
    expect((await facts.read(run)).net).toMatchObject({ mode: "manual" });
    await settle();
    await facts.read(run);
    expect(reads("/etc/systemd/network")).toBe(1);
    await writeFile(
      join(fake.root, "etc/systemd/network/05-eth0.network"),
      "[Match]\nName=eth*\n\n[Network]\nDHCP=ipv4\n",
    );
    await vi.waitFor(async () => expect((await facts.read(run)).net).toMatchObject({ mode: "dhcp" }));
    facts.close();
  });

  it("reads at every poll where the directory cannot be watched", async () => {
    fake = await createFakeRoot({ index: 33, layout: "ifupdown" });
    const noWatch: WatchDir = () => {
      throw new Error("ENOSPC: no inotify watches left");
    };
    const ifupdown = (fs: RootedFs) =>
      createIfupdownBackend({ fs, iface: "eth0", hasSystemdRun: () => Promise.resolve(false) });
    const { facts, reads, s } = factsOf(fake.root, ifupdown, { address: fake.options.ip, watchDir: noWatch });
    for (let i = 0; i < 3; i++) await facts.read(run);
    expect(reads("/etc/network/interfaces")).toBe(3);
    // Nothing tells of a change: the address is asked every time too.
    expect(s.calls).toBe(3);
    facts.close();
  });

  it("reads at every poll only until a watch tried again starts, then as the watch says", async () => {
    fake = await createFakeRoot({ index: 35, layout: "ifupdown" });
    // inotify out of watches at boot (ENOSPC), freed later.
    const watches = { free: false };
    const scarce: WatchDir = (dir, onEntry, onError) => {
      if (!watches.free) throw new Error("ENOSPC: no inotify watches left");
      return inotifyWatchDir(dir, onEntry, onError);
    };
    let t = 1_000_000;
    const ifupdown = (fs: RootedFs) =>
      createIfupdownBackend({ fs, iface: "eth0", hasSystemdRun: () => Promise.resolve(false) });
    const { facts, reads, s } = factsOf(fake.root, ifupdown, {
      address: fake.options.ip,
      now: () => t,
      watchDir: scarce,
    });
    for (let i = 0; i < 3; i++, t += 5000) await facts.read(run);
    expect(reads("/etc/network/interfaces")).toBe(3);
    expect(s.calls).toBe(3);
    watches.free = true;
    t = 1_000_000 + WATCH_RETRY_MS;
    // The retry watches; what changed meanwhile is read once more, then nothing while quiet.
    await facts.read(run);
    expect(reads("/etc/network/interfaces")).toBe(4);
    await settle();
    for (let i = 0; i < 3; i++) {
      t += 5000;
      await facts.read(run);
    }
    expect(reads("/etc/network/interfaces")).toBe(4);
    expect(s.calls).toBe(4);
    await writeFile(join(fake.root, "etc/network/interfaces"), "auto eth0\niface eth0 inet dhcp\n");
    await vi.waitFor(async () => expect((await facts.read(run)).net).toMatchObject({ mode: "dhcp" }));
    facts.close();
  });

  it("asks for the address when the facts or a lease change, after an action, and at the safety interval", async () => {
    fake = await createFakeRoot({ index: 34, layout: "networkd", ipMode: "dhcp" });
    await mkdir(join(fake.root, "run/systemd/netif/leases"), { recursive: true });
    let t = 1_000_000;
    const networkd = (fs: RootedFs) => createNetworkdBackend({ fs, iface: "eth0" });
    const { facts, s } = factsOf(fake.root, networkd, { address: "10.128.1.36", now: () => t });
    expect((await facts.read(run)).addr?.address).toBe("10.128.1.36");
    await settle();
    t += 5000;
    await facts.read(run);
    expect(s.calls).toBe(1);
    // The DHCP client takes a new lease: networkd writes it, the next poll asks.
    s.address = "10.128.7.7";
    await writeFile(join(fake.root, "run/systemd/netif/leases/2"), "ADDRESS=10.128.7.7\n");
    await vi.waitFor(async () => expect((await facts.read(run)).addr?.address).toBe("10.128.7.7"));
    const n = s.calls;
    t += 5000;
    await facts.read(run);
    expect(s.calls).toBe(n);
    // A change nothing tells of: seen at the safety interval.
    t += ADDR_MAX_AGE_MS;
    await facts.read(run);
    expect(s.calls).toBe(n + 1);
    // After an action: at once, then at every poll while the change settles.
    await facts.read(run, true);
    t += 5000;
    await facts.read(run);
    expect(s.calls).toBe(n + 3);
    // Settled (and younger than the safety interval): not asked.
    t += ADDR_SETTLE_MS - 4000;
    await facts.read(run);
    await facts.read(run);
    expect(s.calls).toBe(n + 3);
    facts.close();
  });
});
