import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createNetFacts, LIVE_MAX_AGE_MS } from "../../heartbeat/net-facts.js";
import { createRecordingExec, type SimBoardState } from "../../sim/recording-exec.js";
import { createRootedFs } from "../../system/rooted-fs.js";
import { createRunner } from "../../system/runner.js";
import { PROC_NET_ROUTE } from "./ip-live-sign.js";
import { createIpBackend, parseIpJson } from "./ip.js";

/** An IPv4 address as /proc/net/route prints it: the 32-bit value in host (little-endian) order. */
const routeHex = (ip: string) =>
  ip
    .split(".")
    .reverse()
    .map((n) => Number(n).toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();

/** /proc/net/route of a board whose eth0 holds `s` (and a wlan0 route the sign must ignore). */
function procNetRoute(s: Pick<SimBoardState, "ip" | "netmask" | "gateway">, wlanGateway = "192.168.0.1") {
  const net = s.ip
    .split(".")
    .map((n, i) => Number(n) & Number(s.netmask.split(".")[i]))
    .join(".");
  const row = (iface: string, dst: string, gw: string, flags: string, mask: string) =>
    `${iface}\t${routeHex(dst)}\t${routeHex(gw)}\t${flags}\t0\t0\t0\t${routeHex(mask)}\t0\t0\t0`;
  return [
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
    row("eth0", "0.0.0.0", s.gateway, "0003", "0.0.0.0"),
    row("eth0", net, "0.0.0.0", "0001", s.netmask),
    row("wlan0", "0.0.0.0", wlanGateway, "0003", "0.0.0.0"),
    "",
  ].join("\n");
}

describe("ip backend", () => {
  let root = "";
  afterEach(() => fsp.rm(root, { recursive: true, force: true }));

  it("parses ip -j output", () => {
    const addr =
      '[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet","local":"10.77.0.11","prefixlen":24,"scope":"global"}]}]';
    expect(parseIpJson(addr, '[{"dst":"default","gateway":"10.77.0.1","dev":"eth0"}]')).toEqual({
      mode: "manual",
      ip: "10.77.0.11",
      netmask: "255.255.255.0",
      gateway: "10.77.0.1",
    });
    expect(parseIpJson("[]", "[]")).toEqual({ mode: "unknown" });
    expect(parseIpJson("garbage", "")).toEqual({ mode: "unknown" });
  });

  it("flushes, adds and replaces the default route; restores the previous address; refuses dhcp", async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-ip-"));
    try {
      const rec = createRecordingExec({ mac: "a0:f6:fd:00:00:01", ip: "10.77.0.11", gateway: "10.77.0.1" });
      const runner = createRunner(rec.exec);
      const b = createIpBackend({ fs: createRootedFs(root), iface: "eth0" });
      const restore = await b.snapshot(runner.run);
      rec.calls.length = 0;
      await b.setIp({ mode: "manual", ip: "10.77.0.50", netmask: "255.255.0.0", gateway: "10.77.0.1" }, runner.run);
      expect(rec.calls.map((c) => c.join(" "))).toEqual([
        "ip addr flush dev eth0",
        "ip addr add 10.77.0.50/16 dev eth0",
        "ip route replace default via 10.77.0.1 dev eth0",
      ]);
      expect(rec.state.ip).toBe("10.77.0.50");
      await restore(runner.run);
      expect(rec.state).toMatchObject({ ip: "10.77.0.11", netmask: "255.255.255.0", gateway: "10.77.0.1" });
      await expect(b.setIp({ mode: "dhcp" }, runner.run)).rejects.toMatchObject({ code: "AGENT_E_UNSUPPORTED" });
      await b.setNameservers(["10.0.0.71"], runner.run);
      expect(await fsp.readFile(path.join(root, "etc/resolv.conf"), "utf8")).toBe("nameserver 10.0.0.71\n");
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });

  it("signs the live address, netmask, routes and nameservers without starting a process", async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-ip-"));
    const rec = createRecordingExec({ mac: "a0:f6:fd:00:00:01", ip: "10.77.0.11", gateway: "10.77.0.1" });
    const fs = createRootedFs(root);
    const b = createIpBackend({ fs, iface: "eth0", interfaces: rec.interfaces });
    // No /proc/net/route: no sign, so the heartbeat reads the backend at every poll.
    expect(b.liveSign?.()).toBeNull();
    await fsp.mkdir(path.join(root, "proc/net"), { recursive: true });
    await fsp.mkdir(path.join(root, "etc"));
    await fsp.writeFile(path.join(root, "etc/resolv.conf"), "nameserver 10.0.0.71\n");
    const write = (wlan?: string) => fsp.writeFile(path.join(root, PROC_NET_ROUTE), procNetRoute(rec.state, wlan));
    await write();
    const signs = [b.liveSign?.()];
    expect(signs[0]).toEqual(expect.any(String));
    expect(b.liveSign?.()).toBe(signs[0]);
    // Another interface's route is not eth0's state.
    await write("192.168.0.254");
    expect(b.liveSign?.()).toBe(signs[0]);
    rec.state.ip = "10.77.0.12";
    signs.push(b.liveSign?.());
    rec.state.netmask = "255.255.0.0";
    signs.push(b.liveSign?.());
    await write();
    signs.push(b.liveSign?.());
    rec.state.gateway = "10.77.0.254";
    await write();
    signs.push(b.liveSign?.());
    await fsp.writeFile(path.join(root, "etc/resolv.conf"), "nameserver 10.0.0.72\n");
    signs.push(b.liveSign?.());
    expect(new Set(signs).size).toBe(signs.length);
    expect(rec.calls).toEqual([]);
  });

  it("is asked by the heartbeat's poll only when its sign changes, after an action, and every LIVE_MAX_AGE_MS", async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-ip-"));
    const rec = createRecordingExec({ mac: "a0:f6:fd:00:00:01", ip: "10.77.0.11", gateway: "10.77.0.1" });
    const run = createRunner(rec.exec).run;
    const fs = createRootedFs(root);
    await fsp.mkdir(path.join(root, "proc/net"), { recursive: true });
    await fsp.mkdir(path.join(root, "etc"));
    await fsp.writeFile(path.join(root, "etc/resolv.conf"), "nameserver 10.0.0.71\n");
    // The kernel's view follows the simulated board's live state.
    const kernel = () => fsp.writeFile(path.join(root, PROC_NET_ROUTE), procNetRoute(rec.state));
    await kernel();
    let dumps = 0;
    const interfaces = () => (dumps++, rec.interfaces());
    let t = 1_000_000;
    const facts = createNetFacts({
      fs,
      net: createIpBackend({ fs, iface: "eth0", interfaces }),
      iface: "eth0",
      interfaces,
      now: () => t,
      log: pino({ level: "silent" }),
    });
    const ipRuns = () => rec.calls.filter((c) => c[0] === "ip").length;
    const poll = async (fresh = false) => {
      t += 5000;
      return facts.read(run, fresh);
    };
    const first = await poll();
    expect(first.net).toEqual({
      mode: "manual",
      ip: "10.77.0.11",
      netmask: "255.255.255.0",
      gateway: "10.77.0.1",
      nameservers: ["10.0.0.71"],
    });
    expect(first.addr?.address).toBe("10.77.0.11");
    expect(ipRuns()).toBe(2);
    // Quiet: no process, and one interface dump per poll (the sign's), not two.
    dumps = 0;
    for (let i = 0; i < 5; i++) expect((await poll()).net).toEqual(first.net);
    expect(ipRuns()).toBe(2);
    expect(dumps).toBe(5);
    // An address set by hand (`ip addr`): read at the next poll, the address with it.
    rec.state.ip = "10.77.0.12";
    await kernel();
    const moved = await poll();
    expect(moved.net).toMatchObject({ mode: "manual", ip: "10.77.0.12" });
    expect(moved.addr?.address).toBe("10.77.0.12");
    expect(ipRuns()).toBe(4);
    // A new default route, new nameservers: each read at the next poll.
    rec.state.gateway = "10.77.0.254";
    await kernel();
    expect((await poll()).net?.gateway).toBe("10.77.0.254");
    await fsp.writeFile(path.join(root, "etc/resolv.conf"), "nameserver 10.0.0.72\n");
    expect((await poll()).net?.nameservers).toEqual(["10.0.0.72"]);
    expect(ipRuns()).toBe(8);
    // Only the address's lifetime changed (no file shows it): seen at the safety interval.
    rec.state.dhcp = true;
    expect((await poll()).net?.mode).toBe("manual");
    expect(ipRuns()).toBe(8);
    t += LIVE_MAX_AGE_MS;
    expect((await poll()).net?.mode).toBe("dhcp");
    expect(ipRuns()).toBe(10);
    // After an action of the agent: asked at once.
    await poll(true);
    expect(ipRuns()).toBe(12);
    // No /proc/net/route: nothing tells, read at every poll as before.
    await fsp.rm(path.join(root, PROC_NET_ROUTE));
    await poll();
    await poll();
    expect(ipRuns()).toBe(16);
    facts.close();
  });
});
