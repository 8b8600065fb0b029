import { createSocket } from "node:dgram";
import { createServer, type AddressInfo, type Server } from "node:net";
import { isFinalStatus } from "@bbb/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFigure } from "../../scripts/reliability.mjs";
import { bbbctl } from "./cli-runner.js";
import { ADMIN_PASSWORD, freePort, waitFor } from "./helpers.js";
import { startLegacyServer, type LegacyServer } from "./legacy-fixtures.js";
import { pingDatagram, type PingNode } from "./legacy-peers.js";

// Scaled: the peer pings every 100 ms, the bridge's period is 300 ms (lost 900 ms after the last ping).
const PERIOD = 300;

/** The board's TCP 9877, as bbb-daemon reads it: BE32 code, then BE32 length + pickle per argument. */
function readFrame(buf: Buffer): { code: number; args: string[] } {
  const code = buf.readUInt32BE(0);
  const args: string[] = [];
  for (let at = 4; at < buf.length;) {
    const len = buf.readUInt32BE(at);
    const p = buf.subarray(at + 4, at + 4 + len);
    // Protocol-0 text form of a str: 'X', LE32 byte count, UTF-8, '.' (STOP).
    if (p[0] !== 0x58 || p[p.length - 1] !== 0x2e) throw new Error("not a pickled string");
    args.push(p.subarray(5, 5 + p.readUInt32LE(1)).toString("utf8"));
    at += 4 + len;
  }
  return { code, args };
}

describe("bbb-daemon bridge: a UDP peer with the quirky checksum and a TCP stand-in for the board", () => {
  let srv: LegacyServer;
  let board: Server;
  const frames: { code: number; args: string[] }[] = [];
  const udp = createSocket("udp4");
  let udpPort = 0;
  const node: PingNode = {
    name: "LA-RaCtrl:CO-Srv-7",
    ip_address: "127.0.0.1",
    state: 1,
    state_string: "Connected",
    type: 4,
    sector: "LINAC Area",
    counter: 100,
    details: "MBTemps connected [1, 2]",
    config_time: "2020-03-05 10:00:00",
  };
  let pinging = true;
  let timer: NodeJS.Timeout;
  const send = (b: Buffer) => new Promise<void>((r) => udp.send(b, udpPort, "127.0.0.1", () => r()));
  const id = "legacy-127-0-0-1";
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    board = createServer((s) => {
      const chunks: Buffer[] = [];
      s.on("data", (c: Buffer) => chunks.push(c));
      s.on("end", () => {
        const f = readFrame(Buffer.concat(chunks));
        frames.push(f);
        // The board acts as bbb-daemon would: new name, or a restart (its counter starts over).
        if (f.code === 18) node.name = f.args[0] ?? node.name;
        if (f.code === 1) node.counter = 0;
        s.end();
      });
    });
    await new Promise<void>((r) => board.listen(0, "127.0.0.1", r));
    const cmdPort = (board.address() as AddressInfo).port;
    srv = await startLegacyServer(
      { legacyUdpPort: await freePort(), legacyDaemonCommandPort: cmdPort },
      { daemon: { periodMs: PERIOD }, front: true },
    );
    udpPort = srv.started.ports.legacyUdp ?? 0;
    timer = setInterval(() => {
      if (!pinging) return;
      node.counter++;
      void send(pingDatagram(node));
    }, 100);
  });
  afterAll(async () => {
    clearInterval(timer);
    udp.close();
    await srv?.stop();
    await new Promise((r) => board.close(r));
    writeFigure("legacy-bbb-daemon", {
      kind: "legacy",
      title: "bbb-daemon bridge (UDP peer, TCP stand-in)",
      test: "manager/test/legacy-daemon.test.ts",
      claim:
        "Verified pings make an ordinary board; bad checksums, garbage and oversized datagrams are dropped and counted; commands arrive framed as strings.",
      figures,
    });
  });

  it("a pinging board appears with its name, IP, type and details", async () => {
    const v = await waitFor(() => srv.view(id), 5000, "daemon board");
    expect(v.agent).toBe("bbb-daemon");
    expect(v.heartbeat).toMatchObject({
      hostname: "LA-RaCtrl--CO-Srv-7",
      ip: "127.0.0.1",
      type: "mbtemp",
      details: node.details,
      legacySector: "LINAC",
    });
  });

  it("wrong checksums, garbage and oversized datagrams are dropped and counted; the bridge goes on", async () => {
    await send(pingDatagram({ ...node, name: "Intruder-1" }, true));
    await send(Buffer.from("\x93\x01\x02garbage"));
    await send(Buffer.alloc(2000, 0x41));
    await send(Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]));
    const m = await waitFor(
      async () => {
        const text = await (await fetch(`${srv.started.urls.http}/metrics`)).text();
        return /bbb_legacy_udp_dropped_total\{reason="checksum"\} 1/.test(text) && /reason="oversized"\} 1/.test(text)
          ? text
          : null;
      },
      5000,
      "dropped metric",
    );
    expect(m).toMatch(/reason="decode"\}/);
    expect([...srv.manager.registry.records.values()].some((r) => r.live.heartbeat?.hostname === "Intruder-1")).toBe(
      false,
    );
    const before = srv.view(id)?.lastSeen ?? 0;
    await waitFor(() => (srv.view(id)?.lastSeen ?? 0) > before, 3000, "pings still taken");
    const st = (await srv.manager.table
      .get("migration.status")
      ?.handler({}, { username: "t", role: "viewer", via: "internal" })) as {
      bridges: { bbbDaemon: { dropped: Record<string, number> } };
    };
    expect(st.bridges.bbbDaemon.dropped.checksum).toBe(1);
    figures["datagrams dropped (checksum, garbage, oversized, bad map)"] = Object.values(
      st.bridges.bbbDaemon.dropped,
    ).reduce((a, b) => a + b, 0);
  });

  it("commands reach TCP 9877 framed as strings, with results from what the pings show", async () => {
    const run = async (action: Parameters<LegacyServer["command"]>[1], args: unknown, options = {}) => {
      const c = await srv.command(id, action, args, options);
      const r = await waitFor(() => c.results.find((x) => isFinalStatus(x.status)), 10_000, `${action} result`);
      c.off();
      return r;
    };
    expect((await run("set-hostname", { hostname: "LA-RaCtrl--CO-Srv-8" })).status).toBe("succeeded");
    const ns = await run("set-nameservers", { servers: ["10.0.0.71", "10.0.0.72"] }, { ttlMs: 1000 });
    expect(ns).toMatchObject({ status: "expired", error: { code: "MGR_E_LEGACY_NO_EFFECT" } });
    const t0 = Date.now();
    expect((await run("reboot", {})).status).toBe("succeeded");
    figures["reboot seen done after (ms)"] = Date.now() - t0;
    expect((await run("restart-service", { name: "bbb-function" })).error?.code).toBe("MGR_E_LEGACY_UNSUPPORTED");
    expect(frames).toEqual([
      { code: 18, args: ["LA-RaCtrl--CO-Srv-8"] },
      { code: 19, args: ["10.0.0.71", "10.0.0.72"] },
      { code: 1, args: [] },
    ]);
  }, 60_000);

  it("bbbctl migration status and hosts --agent show the legacy board", async () => {
    const env = {
      BBB_HOST: "127.0.0.1",
      BBB_CMD_PORT: String(srv.started.ports.cmd),
      BBB_USER: "admin",
      BBB_PASSWORD: ADMIN_PASSWORD,
    };
    const m = await bbbctl(["migration", "status", "--boards"], env);
    expect(m.code).toBe(0);
    expect(m.stdout).toContain("0 of 1 boards on bbb-agent (0%)");
    expect(m.stdout).toMatch(/bbb-daemon bridge: on \(UDP \d+, 1 boards/);
    expect(m.stdout).toContain("LA-RaCtrl:CO-Srv-8");
    expect(m.stdout).toContain("bbbctl rollout --hosts FILE --deb PATH");
    const h = await bbbctl(["hosts", "--agent", "bbb-daemon"], env);
    expect(h.stdout).toContain("legacy-127-0-0-1");
    const none = await bbbctl(["hosts", "--agent", "bbbread"], env);
    expect(none.stdout).not.toContain("legacy-127-0-0-1");
  });

  it("a silent board is lost within 3 ping periods", async () => {
    pinging = false;
    const t0 = Date.now();
    await waitFor(() => srv.view(id)?.state === "lost", 3 * PERIOD + 2000, "lost");
    figures["lost after the last ping (ms), 3 periods of 300 ms"] = Date.now() - t0;
  });
});
