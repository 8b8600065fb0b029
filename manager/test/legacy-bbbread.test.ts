import { isFinalStatus } from "@bbb/shared";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFigure } from "../../scripts/reliability.mjs";
import { startBbbreadPeer, type BbbreadPeer } from "./bbbread-peer.js";
import { captureLogger, waitFor } from "./helpers.js";
import { haveRedis, startLegacyServer, startRedis, type LegacyServer } from "./legacy-fixtures.js";

// Scaled periods: the peer writes every 200 ms and polls every 100 ms; the bridge's beat period
// is 400 ms, so `lost` is due 3 x 400 ms after the last write (docs/legacy-protocols.md "Liveness").
const PERIOD = 400;
const bridge = { scanMs: 500, periodMs: PERIOD, monitorMs: 500 };
const peerOpts = (url: string, ip: string, hostname: string) => ({
  url,
  ip,
  hostname,
  periodMs: 200,
  pollMs: 100,
  rebootMs: 1500,
});

const finalOf = async (
  srv: LegacyServer,
  id: string,
  action: Parameters<LegacyServer["command"]>[1],
  args: unknown,
  opts = {},
) => {
  const c = await srv.command(id, action, args, opts);
  const r = await waitFor(() => c.results.find((x) => isFinalStatus(x.status)), 15_000, `${action} result`);
  c.off();
  return { ...c, final: r };
};

describe.skipIf(!haveRedis)("bbbread bridge against a real redis-server and a bbbread peer", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let srv: LegacyServer;
  let peer: BbbreadPeer;
  let watcher: Redis;
  const id = "legacy-10-128-10-21";
  const figures: Record<string, number | string> = {};

  beforeAll(async () => {
    redis = await startRedis();
    watcher = new Redis(redis.url);
    peer = startBbbreadPeer(peerOpts(redis.url, "10.128.10.21", "LA-RaCtrl--CO-Srv-1"));
    await peer.start();
    srv = await startLegacyServer({ legacyBbbreadRedis: redis.url }, { bbbread: bridge });
  });
  afterAll(async () => {
    peer?.stop();
    watcher?.disconnect();
    await srv?.stop();
    await redis?.stop();
    writeFigure("legacy-bbbread", {
      kind: "legacy",
      title: "bbbread bridge (real redis-server, bbbread peer)",
      test: "manager/test/legacy-bbbread.test.ts",
      claim:
        "A board writing is online; silent, lost within 3 beat periods; commands are RPUSHed in the board's format and succeed only on their seen effect.",
      figures,
    });
  });

  it("a writing board is an ordinary board of agent kind bbbread, with the hash mapped", async () => {
    const v = await waitFor(
      () => (srv.view(id)?.state === "unregistered" ? srv.view(id) : null),
      10_000,
      "legacy board",
    );
    expect(v.agent).toBe("bbbread");
    expect(v.sector).toBe("1");
    expect(v.heartbeat).toMatchObject({
      hostname: "LA-RaCtrl--CO-Srv-1",
      ip: "10.128.10.21",
      ipMode: "manual",
      nameservers: ["10.128.255.5", "10.0.0.71"],
      type: "mbtemp",
      details: "MBTemps connected [1, 2]",
      legacySector: "1",
    });
    expect(v.heartbeat?.diskUsedPct).toBeGreaterThan(9);
    const st = srv.manager.service.registry;
    expect(st.records.get(id)?.live.periodMs).toBe(PERIOD);
  });

  it("beside the old monitor: the boards' keys are never deleted or rewritten", async () => {
    await new Promise((r) => setTimeout(r, 1200));
    expect(await watcher.hget(peer.key, "heartbeat")).toBe("1");
    expect(await watcher.hget(peer.key, "state_string")).toBe("Connected");
    expect(await watcher.hget(peer.key, "ping_time")).toBeNull();
    expect(await watcher.exists("DisconnectedWarn")).toBe(0);
  });

  it("every command kind reaches the Command list in the board's format, with honest results", async () => {
    const ns = await finalOf(srv, id, "set-nameservers", { servers: ["10.0.0.71", "10.0.0.72"] });
    expect(ns.results.map((r) => r.status)).toEqual(["accepted", "succeeded"]);
    const restart = await finalOf(srv, id, "restart-service", { name: "bbb-function" });
    expect(restart.final.status).toBe("succeeded");
    const stop = await finalOf(srv, id, "stop-service", { name: "bbb-function" });
    expect(stop.final.status).toBe("succeeded");
    const refused = await finalOf(srv, id, "identify", {});
    expect(refused.final).toMatchObject({ status: "rejected", error: { code: "MGR_E_LEGACY_UNSUPPORTED" } });
    const host = await finalOf(srv, id, "set-hostname", { hostname: "LA-RaCtrl--CO-Srv-2" });
    expect(host.final.status).toBe("succeeded");
    await waitFor(() => srv.view(id)?.heartbeat?.hostname === "LA-RaCtrl--CO-Srv-2", 5000, "new hostname");

    // An IP change is the same board moving: new id, no lost board left behind, history follows.
    const t0 = Date.now();
    const ip = await finalOf(srv, id, "set-ip", {
      mode: "manual",
      ip: "10.128.10.99",
      netmask: "255.255.255.128",
      gateway: "10.128.10.1",
    });
    expect(ip.final.status).toBe("succeeded");
    const moved = "legacy-10-128-10-99";
    await waitFor(() => srv.view(moved)?.state === "unregistered", 5000, "moved board");
    figures["set-ip effect seen after (ms)"] = Date.now() - t0;
    expect(srv.manager.registry.records.has(id)).toBe(false);
    const hist = srv.history(moved);
    expect(hist.some((h) => h.kind === "registry" && h.message.includes("moved from"))).toBe(true);
    expect(hist.some((h) => h.message.startsWith("set-nameservers"))).toBe(true);
    expect(hist.filter((h) => h.kind === "state-change" && h.message.includes("lost"))).toEqual([]);
    // Only the run's own summary keeps the id the run addressed.
    expect(srv.history(id).filter((h) => h.kind !== "run")).toEqual([]);
    expect(srv.view(moved)?.heartbeat?.ip).toBe("10.128.10.99");

    const t1 = Date.now();
    const reboot = await finalOf(srv, moved, "reboot", {});
    expect(reboot.final.status).toBe("succeeded");
    figures["reboot seen done after (ms)"] = Date.now() - t1;

    expect(peer.commands).toEqual([
      "19;10.0.0.71;10.0.0.72",
      "20;bbb-function",
      "21;bbb-function",
      "18;LA-RaCtrl--CO-Srv-2",
      "17;manual;10.128.10.99;255.255.255.128;10.128.10.1",
      "1",
    ]);
    // The old hashes are left as the client left them: moved markers, never deleted.
    expect(await watcher.hget("BBB:10.128.10.21:LA-RaCtrl--CO-Srv-1", "state_string")).toBe(
      "BBB:10.128.10.21:LA-RaCtrl--CO-Srv-2",
    );
  });

  it("the board's Logs entries are its log: history and legacy.logs", async () => {
    await peer.log("PRU program loaded");
    const moved = "legacy-10-128-10-99";
    await waitFor(
      () => srv.history(moved).find((h) => h.kind === "log" && h.message === "PRU program loaded"),
      5000,
      "log entry",
    );
    const logs = srv.manager.table.get("legacy.logs");
    const r = (await logs?.handler({ id: moved }, { username: "t", role: "viewer", via: "internal" })) as {
      items: { text: string }[];
    };
    expect(r.items.map((i) => i.text)).toContain("PRU program loaded");
  });

  it("a silent board: its command expires with the reason and leaves the list; it is lost within 3 periods", async () => {
    const moved = "legacy-10-128-10-99";
    peer.silence();
    const silentAt = Date.now();
    const ns = await finalOf(
      srv,
      moved,
      "set-nameservers",
      { servers: ["10.0.0.1", "10.0.0.2"] },
      { ttlMs: 800, includeDead: true },
    );
    expect(ns.final).toMatchObject({ status: "expired", error: { code: "MGR_E_LEGACY_NO_EFFECT" } });
    expect(ns.final.error?.message).toContain("did not take");
    expect(await watcher.llen(`${peer.key}:Command`)).toBe(0);
    await waitFor(() => srv.view(moved)?.state === "lost", 3 * PERIOD + 2000, "lost").catch((e: unknown) => {
      throw new Error(
        `${String(e)}: ${JSON.stringify(srv.view(moved))} ${JSON.stringify(srv.manager.registry.records.get(moved)?.live)}`,
      );
    });
    figures["lost after silence (ms), 3 periods of 400 ms"] = Date.now() - silentAt;
    peer.resume();
    await waitFor(() => srv.view(moved)?.state === "unregistered", 5000, "back");
  });
});

describe.skipIf(!haveRedis)("bbbread bridge in replace mode, and without keyspace events", () => {
  it("does the old monitor's loop: Connected + ping_time, Disconnected + DisconnectedWarn + logs", async () => {
    const redis = await startRedis();
    const w = new Redis(redis.url);
    const peer = startBbbreadPeer(peerOpts(redis.url, "10.128.20.5", "PA-Rack--Mon-1"));
    await peer.start();
    const srv = await startLegacyServer(
      { legacyBbbreadRedis: redis.url, legacyBbbreadMode: "replace" },
      { bbbread: bridge },
    );
    try {
      await waitFor(async () => (await w.hget(peer.key, "ping_time")) !== null, 10_000, "ping_time");
      expect(await w.hget(peer.key, "state_string")).toBe("Connected");
      await waitFor(() => srv.view("legacy-10-128-20-5")?.state === "unregistered", 10_000, "online");
      peer.silence();
      await waitFor(async () => (await w.hget(peer.key, "state_string")) === "Disconnected", 10_000, "Disconnected");
      expect(await w.sismember("DisconnectedWarn", peer.key)).toBe(1);
      expect(Object.values(await w.hgetall(`${peer.key}:Logs`))).toContain("Disconnected");
      peer.resume();
      await waitFor(
        async () => Object.values(await w.hgetall(`${peer.key}:Logs`)).includes("Reconnected"),
        5000,
        "Reconnected",
      );
      // The monitor's own log lines are not the board's.
      expect(srv.history("legacy-10-128-20-5").filter((h) => h.kind === "log")).toEqual([]);
    } finally {
      peer.stop();
      w.disconnect();
      await srv.stop();
      await redis.stop();
    }
  });

  it("CONFIG disabled: the fallback is logged and liveness comes from the monitor loop", async () => {
    const redis = await startRedis(["--rename-command", "CONFIG", ""]);
    const peer = startBbbreadPeer(peerOpts(redis.url, "10.128.30.5", "RF-Rack--Mon-1"));
    await peer.start();
    const cap = captureLogger("info");
    const srv = await startLegacyServer(
      { legacyBbbreadRedis: redis.url, legacyBbbreadMode: "replace" },
      { bbbread: { ...bridge, periodMs: 1000 } },
      cap.log,
    );
    try {
      expect(cap.lines.some((l) => String(l.msg).includes("keyspace events unavailable"))).toBe(true);
      await waitFor(() => srv.view("legacy-10-128-30-5")?.state === "unregistered", 5000, "online by polling");
      expect(srv.view("legacy-10-128-30-5")?.agent).toBe("bbbread");
    } finally {
      peer.stop();
      await srv.stop();
      await redis.stop();
    }
  });
});
