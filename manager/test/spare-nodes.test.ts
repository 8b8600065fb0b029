import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFrontExtension } from "../src/front/front-extension.js";
import { ADMIN_PASSWORD, connectClient, request, startSimBoard, startTestServer, topics, waitFor, type SimBoard, type TestServer } from "./helpers.js";

/**
 * Spare nodes (docs/protocol.md §"Registry states"): a spare slot with no board is `spare`, not
 * `missing`, on every door; a board bound to it puts it in service; a spare's board taken for a
 * replacement leaves the slot `spare` again.
 */
describe("spare nodes", () => {
  let srv: TestServer;
  let admin: MqttClient;
  let board: SimBoard;
  const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;
  const mask = { netmask: "255.255.255.128", gateway: "10.128.200.1" };

  const call = async (method: string, params: unknown) => {
    const r = await request(admin, method, params);
    if (r.status !== "ok") throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const nodeState = async (hostname: string) => ((await call("nodes.get", { hostname })) as { state: string }).state;
  /** The retained registry/nodes/<hostname> payload, as a fresh subscriber gets it. */
  const retainedNode = async (hostname: string) => {
    const c = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    try {
      const got = new Promise<{ state: string; node: { spare: boolean } }>((resolve) =>
        c.on("message", (_t, payload) => resolve(JSON.parse(payload.toString()) as { state: string; node: { spare: boolean } })),
      );
      await c.subscribeAsync(topics.registryNode(hostname));
      return await got;
    } finally {
      await c.endAsync();
    }
  };

  beforeAll(async () => {
    srv = await startTestServer({}, { extensions: [createFrontExtension()] });
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    await call("types.upsert", { name: "power-supply" });
    await call("nodes.upsert", { hostname: "IA-20RaBbB--CO-Spare-1", ip: { mode: "manual", ip: "10.128.200.20", ...mask }, type: "power-supply", spare: true });
    await call("nodes.upsert", { hostname: "IA-20RaBbB--CO-Spare-2", ip: { mode: "manual", ip: "10.128.200.21", ...mask }, type: "power-supply", spare: true });
    await call("nodes.upsert", { hostname: "IA-20RaBbB--CO-PSup-1", ip: { mode: "manual", ip: "10.128.200.30", ...mask }, type: "power-supply" });
  });
  afterAll(async () => {
    await board?.stop();
    await admin?.endAsync();
    await srv?.stop();
  });

  it("a spare node with no board is spare in its sector on JSON-RPC, REST, the retained node view and the counts; a node without one is missing", async () => {
    expect(await nodeState("IA-20RaBbB--CO-Spare-1")).toBe("spare");
    expect(await nodeState("IA-20RaBbB--CO-PSup-1")).toBe("missing");
    const list = (await call("hosts.list", { state: ["spare"] })) as { items: { state: string; sector: string | null; node: { hostname: string; spare: boolean } }[] };
    expect(list.items.map((i) => [i.node.hostname, i.sector, i.node.spare])).toEqual([
      ["IA-20RaBbB--CO-Spare-1", "20", true],
      ["IA-20RaBbB--CO-Spare-2", "20", true],
    ]);
    const rest = await fetch(`${srv.http}/api/hosts?state=missing,spare`, { headers: { authorization: basic } });
    expect(rest.status).toBe(200);
    const body = (await rest.json()) as { items: { state: string }[] };
    expect(body.items.map((i) => i.state)).toEqual(["missing", "spare", "spare"]);
    expect(await retainedNode("IA-20RaBbB--CO-Spare-2")).toMatchObject({ state: "spare", node: { spare: true } });
    const info = (await call("server.info", {})) as { counts: { byState: Record<string, number> } };
    expect(info.counts.byState).toMatchObject({ spare: 2, missing: 1 });
  });

  it("a spare's board used to replace a node: the node takes the board, the spare slot is spare again; a board bound to a spare puts it in service", async () => {
    // The spare board on the shelf, powered: it matches its spare node by hostname and is online.
    board = await startSimBoard(srv.mqttUrl, 81, { hostname: "IA-20RaBbB--CO-Spare-1", ip: "10.128.200.20" });
    await waitFor(async () => (await nodeState("IA-20RaBbB--CO-Spare-1")) !== "spare" || null, 10_000, "spare board matched");
    const r = (await call("nodes.bind", { hostname: "IA-20RaBbB--CO-PSup-1", boardId: board.boardId, apply: false })) as { node: { node: { spare: boolean } } };
    expect(r.node.node.spare).toBe(false);
    expect(await nodeState("IA-20RaBbB--CO-Spare-1")).toBe("spare");
    expect(await nodeState("IA-20RaBbB--CO-PSup-1")).not.toBe("missing");
    // Bound to a spare node, a board makes it an ordinary node: no longer a spare, the history says so.
    const put = (await call("nodes.bind", { hostname: "IA-20RaBbB--CO-Spare-2", boardId: board.boardId, apply: false })) as { node: { node: { spare: boolean } } };
    expect(put.node.node.spare).toBe(false);
    expect(((await call("nodes.get", { hostname: "IA-20RaBbB--CO-Spare-2" })) as { node: { spare: boolean } }).node.spare).toBe(false);
    const hist = (await call("history.query", { hostname: "IA-20RaBbB--CO-Spare-2", kind: ["registry"] })) as { items: { message: string }[] };
    expect(hist.items[0]?.message).toBe(`board ${board.boardId} bound to node IA-20RaBbB--CO-Spare-2 (spare slot now in service)`);
    // The board left PSup-1 for it: PSup-1, not a spare, is missing.
    expect(await nodeState("IA-20RaBbB--CO-PSup-1")).toBe("missing");
  });

  it("a spare flag that is not a boolean is refused and nothing is stored", async () => {
    const bad = await request(admin, "nodes.upsert", { hostname: "IA-20RaBbB--CO-Spare-3", ip: { mode: "dhcp" }, type: "power-supply", spare: "yes" });
    expect(bad).toMatchObject({ status: "error", error: { code: "MGR_E_INVALID_PARAMS" } });
    expect((await request(admin, "nodes.get", { hostname: "IA-20RaBbB--CO-Spare-3" })).status).toBe("error");
  });
});
