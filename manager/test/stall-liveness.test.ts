import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeRoot, type FakeRoot } from "@bbb/agent/sim";
import type { RegistryEvent } from "../src/service/events.js";
import { spawnAgent, startTestServer, waitFor, type TestServer } from "./helpers.js";

/**
 * docs/protocol.md §"Liveness": a stall of the manager's own thread (a reconnect storm, a long
 * collection) is not the boards' silence. Real agent processes beat through the broker's thread
 * while the manager's thread is blocked for longer than the lost deadline (3 periods); the
 * heartbeats queued meanwhile are read before any board is judged, so none is shown `lost`,
 * while a board that really went silent (SIGSTOP) still is.
 */
describe("liveness across a stall of the manager's thread", () => {
  let srv: TestServer;
  const roots: FakeRoot[] = [];
  const children: ChildProcess[] = [];
  const changes: { boardId: string; to: string; reason?: string | undefined; at: number }[] = [];

  beforeAll(async () => {
    srv = await startTestServer();
    srv.server.manager.events.on((e: RegistryEvent) => {
      if (e.kind === "state-change") changes.push({ boardId: e.boardId, to: e.to, reason: e.reason, at: Date.now() });
    });
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill("SIGCONT");
        c.kill("SIGKILL");
      }
    }
    await srv?.stop();
    for (const r of roots) await r.cleanup();
  });

  const state = (id: string) => srv.server.manager.registry.records.get(id)?.state ?? null;

  it("keeps beating boards alive through a 4.5 s block, and still finds the silent one", async () => {
    const boards: { root: FakeRoot; child: ChildProcess }[] = [];
    for (const index of [31, 32, 33, 34]) {
      const root = await createFakeRoot({ index });
      roots.push(root);
      const child = spawnAgent(srv.mqttUrl, root);
      children.push(child);
      boards.push({ root, child });
    }
    const ids = boards.map((b) => b.root.boardId);
    const isUp = (s: string | null) => s === "online" || s === "unregistered" || s === "misconfigured";
    await waitFor(() => ids.every((id) => isUp(state(id))), 15_000);
    // Two periods of steady beats, so every deadline is a heartbeat's, not the birth's.
    await new Promise((r) => setTimeout(r, 2000));
    const [silent, ...beating] = boards;
    if (!silent) throw new Error("no boards");
    silent.child.kill("SIGSTOP");
    const blockedAt = Date.now();
    // The manager's thread does nothing else for 4.5 s: 1.5 × the 3 s lost deadline.
    while (Date.now() - blockedAt < 4500);
    await new Promise((r) => setTimeout(r, 1500));
    const lostSince = (id: string) => changes.filter((c) => c.boardId === id && c.at >= blockedAt && c.to === "lost");
    for (const b of beating) {
      expect(lostSince(b.root.boardId), b.root.boardId).toEqual([]);
      expect(isUp(state(b.root.boardId))).toBe(true);
    }
    // The stopped board sent nothing for 6 s: it is lost (its keepalive or its silence).
    await waitFor(() => state(silent.root.boardId) === "lost", 5000);
    silent.child.kill("SIGCONT");
  });
});
