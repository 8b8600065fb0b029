import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimBoard, startTestServer, waitFor, type SimBoard, type TestServer } from "./helpers.js";
import { invokeMethod } from "../src/front/invoke.js";
import { silentLogger } from "../src/log.js";
import type { Run } from "@bbb/shared";
import { node } from "./registry-fixture.js";

// Bulk reboot of many simulated boards (the real agent code, in process, fake roots and a
// recording exec): one aggregated result with every per-board outcome; then the rebooting state.
const N = Number(process.env.BBB_BULK_BOARDS ?? 600);
const GRACE_MS = 5000;

describe(`bulk reboot of ${N} simulated boards`, () => {
  let srv: TestServer;
  const boards: SimBoard[] = [];

  beforeAll(async () => {
    srv = await startTestServer({ rebootGraceMs: GRACE_MS });
    const started = Date.now();
    for (let i = 0; i < N; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, N - i) }, (_, k) => startSimBoard(srv.mqttUrl, 1000 + i + k)),
      );
      boards.push(...batch);
    }
    const nodes = boards.map((b) => {
      const { hostname, ip, netmask, gateway } = b.root.options;
      return node(hostname, { ip: { mode: "manual", ip, netmask, gateway } });
    });
    srv.server.manager.service.editor.upsertNodes(nodes, { by: "test", via: "internal" });
    const reg = srv.server.manager.registry;
    await waitFor(
      () => boards.every((b) => reg.records.get(b.boardId)?.state === "online"),
      60_000,
      "all boards online",
    );
    console.log(`${N} simulated boards online in ${Date.now() - started} ms`);
  }, 180_000);
  afterAll(async () => {
    for (const b of boards) await b.stop();
    await srv?.stop();
    await Promise.all(boards.map((b) => b.root.cleanup()));
  }, 120_000);

  it("returns one aggregated result with every per-board outcome, then rebooting → online / reboot-timeout", async () => {
    const m = srv.server.manager;
    const progress: number[] = [];
    const t0 = Date.now();
    const out = await invokeMethod(
      m.table,
      "hosts.command",
      { target: { filter: { type: "mbtemp" } }, action: "reboot", options: { concurrency: 100, timeoutMs: 30_000 } },
      { username: "tester", role: "operator", via: "internal", onProgress: (p) => progress.push(p.done) },
      silentLogger(),
    );
    const ms = Date.now() - t0;
    console.log(`bulk reboot of ${N} boards: aggregated result in ${ms} ms`);
    expect(out.ok).toBe(true);
    const run = (out as { data: Run }).data;
    expect(run.status).toBe("completed");
    expect(run.total).toBe(N);
    expect(run.outcomes).toHaveLength(N);
    expect(new Set(run.outcomes.map((o) => o.boardId))).toEqual(new Set(boards.map((b) => b.boardId)));
    expect(run.outcomes.every((o) => o.status === "accepted" || o.status === "succeeded")).toBe(true);
    expect(progress.at(-1)).toBe(N);
    // The agent answers `accepted` before it runs `systemctl reboot` (recorded, never executed).
    await waitFor(
      () => boards.every((b) => b.exec.calls.some((c) => c.join(" ").includes("reboot"))),
      5000,
      "reboot argv recorded",
    );
    // The stored run is the same aggregate.
    const stored = await invokeMethod(
      m.table,
      "commands.get",
      { id: run.id },
      { username: "v", role: "viewer", via: "internal" },
      silentLogger(),
    );
    expect((stored as { data: Run }).data.outcomes).toHaveLength(N);

    const reg = m.registry;
    await waitFor(() => boards.every((b) => reg.records.get(b.boardId)?.state === "rebooting"), 5000, "all rebooting");
    // Two boards really come back (a new agent process = a new session): online before the grace ends.
    const back = boards.slice(0, 2);
    for (const b of back) {
      await b.stop();
      const again = await startSimBoard(srv.mqttUrl, 0, { root: b.root });
      boards[boards.indexOf(b)] = again;
    }
    await waitFor(
      () => back.every((b) => reg.records.get(b.boardId)?.state === "online"),
      5000,
      "rebooted boards online",
    );
    // Two never come back: lost with reboot-timeout once the grace period is over.
    const gone = boards.slice(2, 4);
    for (const b of gone) await b.stop();
    await waitFor(
      () => gone.every((b) => reg.records.get(b.boardId)?.state === "lost"),
      GRACE_MS + 3000,
      "reboot-timeout",
    );
    for (const b of gone) expect(reg.records.get(b.boardId)?.problems.map((p) => p.code)).toContain("reboot-timeout");
  }, 120_000);
});
