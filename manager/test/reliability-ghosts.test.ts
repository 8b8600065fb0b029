import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { writeFigure } from "../../scripts/reliability.mjs";
import { ADMIN_PASSWORD, startSimBoard, startTestServer, topics, waitFor, type SimBoard, type TestServer } from "./helpers.js";

/**
 * RELIABILITY.md §"Ghost retained topics; missing versus removed nodes" — "Ghost retained topics of boards that were removed or renamed are cleaned up, and
 * `missing` nodes are distinguished from removed ones": what a fresh subscriber (a dashboard
 * opening now) receives as retained after a board is removed and a node renamed.
 */
describe("ghost retained topics", () => {
  let srv: TestServer;
  let board: SimBoard;
  const admin = { username: "admin", role: "admin" as const, via: "socket" as const };
  const fig: Record<string, number | string> = {};

  beforeAll(async () => {
    srv = await startTestServer();
    board = await startSimBoard(srv.mqttUrl, 970, { hostname: "ghost-b1" });
    await waitFor(() => srv.server.manager.registry.records.get(board.boardId)?.alive, 10_000, "board alive");
  });
  afterAll(async () => {
    await board?.stop().catch(() => undefined);
    await srv?.stop();
    writeFigure("fault-ghosts", {
      kind: "fault",
      title: "Ghost retained topics; missing versus removed nodes",
      test: "manager/test/reliability-ghosts.test.ts",
      claim: "A fresh subscriber gets no retained status, heartbeat or host view of a removed board and no view of a renamed node's old name; a node with no board is retained as `missing`, a removed one is not retained at all and answers MGR_E_NOT_FOUND.",
      figures: fig,
      coveredElsewhere: ["Host views, node and type topics left by a previous run are cleared when the restarted manager settles: manager/src/registry/create-registry.test.ts (\"clears ghosts at settle\")"],
    });
  });

  /** Everything retained under the root, as a new dashboard would receive it on subscribing. */
  async function retained(): Promise<Map<string, string>> {
    const c = await mqtt.connectAsync(srv.mqttUrl, { username: "admin", password: ADMIN_PASSWORD, clientId: `fresh-${Date.now()}`, protocolVersion: 4, reconnectPeriod: 0 });
    const got = new Map<string, string>();
    c.on("message", (t, p, packet) => {
      if (packet.retain && p.byteLength > 0) got.set(t, p.toString());
    });
    await c.subscribeAsync(`${topics.root}/#`, { qos: 1 });
    await new Promise((r) => setTimeout(r, 400));
    await c.endAsync(true);
    return got;
  }
  const call = async (method: string, params: unknown) => srv.server.manager.table.get(method)!.handler(params, admin);

  it("clears a removed board's retained topics and a renamed node's old view; keeps missing apart from removed", async () => {
    const m = srv.server.manager;
    await call("types.upsert", { name: "mbtemp" });
    await call("nodes.upsert", { hostname: "ghost-old", ip: { mode: "dhcp" }, type: "mbtemp" });
    await call("nodes.upsert", { hostname: "ghost-missing", ip: { mode: "dhcp" }, type: "mbtemp" });
    await new Promise((r) => setTimeout(r, 300));
    const before = await retained();
    expect(before.has(topics.status(board.boardId))).toBe(true);
    expect(before.has(topics.registryHost(board.boardId))).toBe(true);
    expect(before.has(topics.registryNode("ghost-old"))).toBe(true);

    // The board dies for good and is removed; the node is renamed (removed under its old name).
    await board.agent.stop();
    await waitFor(() => m.registry.records.get(board.boardId)?.alive === false || null, 5000, "board down");
    await call("hosts.remove", { id: board.boardId });
    await call("nodes.remove", { hostname: "ghost-old" });
    await call("nodes.upsert", { hostname: "ghost-new", ip: { mode: "dhcp" }, type: "mbtemp" });
    await new Promise((r) => setTimeout(r, 1500));

    const after = await retained();
    const ghosts = [...after.keys()].filter((t) => t.includes(board.boardId) || t.endsWith("/ghost-old"));
    fig["retained topics before"] = before.size;
    fig["retained topics after removal and rename"] = after.size;
    fig["ghost topics left"] = ghosts.length;
    expect(ghosts).toEqual([]);
    expect(after.has(topics.registryNode("ghost-new"))).toBe(true);
    // Missing: retained with state missing. Removed: not retained, and not found.
    const missing = JSON.parse(after.get(topics.registryNode("ghost-missing")) ?? "{}") as { state?: string };
    expect(missing.state).toBe("missing");
    fig["node without a board"] = `retained, state ${missing.state}`;
    await expect(call("nodes.get", { hostname: "ghost-old" })).rejects.toMatchObject({ code: "MGR_E_NOT_FOUND" });
    await expect(call("hosts.get", { id: board.boardId })).rejects.toMatchObject({ code: "MGR_E_NOT_FOUND" });
    fig["removed node / removed board"] = "not retained, MGR_E_NOT_FOUND";
  });
});
