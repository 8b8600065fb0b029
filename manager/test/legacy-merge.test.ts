import { isFinalStatus } from "@bbb/shared";
import type { RegistryEvent } from "../src/service/events.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBbbreadPeer, type BbbreadPeer } from "./bbbread-peer.js";
import { startSimBoard, waitFor, type SimBoard } from "./helpers.js";
import { haveRedis, startLegacyServer, startRedis, type LegacyServer } from "./legacy-fixtures.js";

describe.skipIf(!haveRedis)("a board starts our agent while the bridge still sees its bbbread beats", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let srv: LegacyServer;
  let peer: BbbreadPeer;
  let sim: SimBoard | null = null;
  const legacyId = "legacy-10-128-40-7";
  const events: RegistryEvent[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    peer = startBbbreadPeer({
      url: redis.url,
      ip: "10.128.40.7",
      hostname: "IA-04RaDiag--CO-IOCSrv",
      periodMs: 200,
      pollMs: 100,
    });
    await peer.start();
    srv = await startLegacyServer({ legacyBbbreadRedis: redis.url }, { bbbread: { scanMs: 500, periodMs: 400 } });
    srv.manager.events.on((e) => events.push(e));
  });
  afterAll(async () => {
    await sim?.stop();
    peer?.stop();
    await srv?.stop();
    await redis?.stop();
  });

  it("merges the legacy entry into our agent's board with its history: no duplicate, no false lost", async () => {
    await waitFor(() => srv.view(legacyId)?.state === "unregistered", 5000, "legacy board");
    const c = await srv.command(legacyId, "set-nameservers", { servers: ["10.0.0.71", "10.0.0.72"] });
    await waitFor(() => c.results.find((r) => isFinalStatus(r.status)), 10_000, "result");
    c.off();

    sim = await startSimBoard(srv.started.urls.mqtt, 41, { ip: "10.128.40.7", hostname: "IA-04RaDiag--CO-IOCSrv" });
    const agentId = sim.boardId;
    await waitFor(() => srv.view(agentId)?.heartbeat, 10_000, "agent board");
    await waitFor(() => !srv.manager.registry.records.has(legacyId), 5000, "legacy entry merged");

    // bbbread keeps writing for a while (the package replaces it later): the entry stays merged.
    const beatsBefore = (await peer.redis.hget(peer.key, "disk_usage")) ?? "";
    await waitFor(
      async () => ((await peer.redis.hget(peer.key, "disk_usage")) ?? "") !== beatsBefore,
      3000,
      "bbbread still writing",
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(srv.manager.registry.records.has(legacyId)).toBe(false);

    const v = srv.view(agentId);
    expect(v?.agent).toBe("bbb-agent");
    expect(v?.problems.filter((p) => p.code.startsWith("conflict"))).toEqual([]);
    const hist = srv.history(agentId);
    expect(hist.some((h) => h.message.startsWith("set-nameservers"))).toBe(true);
    expect(hist.some((h) => h.kind === "registry" && h.message.includes(`${legacyId} merged`))).toBe(true);
    expect(events.filter((e) => e.kind === "state-change" && e.boardId === legacyId && e.to === "lost")).toEqual([]);

    const st = (await srv.manager.table
      .get("migration.status")
      ?.handler({}, { username: "t", role: "viewer", via: "internal" })) as {
      byAgent: Record<string, number>;
      legacy: unknown[];
    };
    expect(st.byAgent).toMatchObject({ "bbb-agent": 1, bbbread: 0 });
    expect(st.legacy).toEqual([]);
  });
});
