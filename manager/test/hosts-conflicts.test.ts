import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, connectClient, request, startSimBoard, startTestServer, waitFor, type SimBoard, type TestServer } from "./helpers.js";

// hosts.conflicts: who already has an IP or a hostname, asked before a set-ip / set-hostname is sent.
describe("hosts.conflicts", () => {
  let srv: TestServer;
  let admin: MqttClient;
  const boards: SimBoard[] = [];

  beforeAll(async () => {
    srv = await startTestServer();
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    boards.push(await startSimBoard(srv.mqttUrl, 61, { hostname: "SI-05RaCtrl--CO-Srv-1", ip: "10.128.50.11" }));
    boards.push(await startSimBoard(srv.mqttUrl, 62, { hostname: "SI-05RaCtrl--CO-Srv-2", ip: "10.128.50.12" }));
    await request(admin, "types.upsert", { name: "mbtemp" });
    const ip = { mode: "manual", netmask: "255.255.255.0", gateway: "10.128.50.1" };
    // The first board's node, and a node whose board never came (it holds .40 all the same).
    expect((await request(admin, "nodes.upsert", { hostname: "SI-05RaCtrl--CO-Srv-1", ip: { ...ip, ip: "10.128.50.11" }, type: "mbtemp" })).status).toBe("ok");
    expect((await request(admin, "nodes.upsert", { hostname: "SI-05RaCtrl--CO-Srv-9", ip: { ...ip, ip: "10.128.50.40" }, type: "mbtemp" })).status).toBe("ok");
    await waitFor(async () => {
      const r = await request(admin, "hosts.list", {});
      return (r.data as { items: { heartbeat: unknown }[] }).items.filter((i) => i.heartbeat).length === 2;
    }, 10_000, "both boards listed");
  });
  afterAll(async () => {
    for (const b of boards) await b.stop();
    await admin?.endAsync();
    await srv?.stop();
  });

  const conflicts = async (params: unknown) => {
    const r = await request(admin, "hosts.conflicts", params);
    expect(r.status).toBe("ok");
    return (r.data as { conflicts: { field: string; holder: string; boardId: string | null; hostname: string | null }[] }).conflicts;
  };

  it("names the board and the node that already have an IP address", async () => {
    const [a, b] = boards;
    const found = await conflicts({ id: b?.boardId, ip: "10.128.50.11" });
    expect(found).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: "ip", holder: "board", boardId: a?.boardId, hostname: "SI-05RaCtrl--CO-Srv-1" }),
      expect.objectContaining({ field: "ip", holder: "node", hostname: "SI-05RaCtrl--CO-Srv-1" }),
    ]));
    expect(found).toHaveLength(2);
    // A node without a board still holds its address.
    expect(await conflicts({ id: b?.boardId, ip: "10.128.50.40" })).toEqual([expect.objectContaining({ holder: "node", boardId: null, hostname: "SI-05RaCtrl--CO-Srv-9" })]);
  });

  it("leaves out the board being changed and its own node, and finds hostnames in either form and case", async () => {
    const [a, b] = boards;
    expect(await conflicts({ id: a?.boardId, ip: "10.128.50.11" })).toEqual([]);
    expect(await conflicts({ id: a?.boardId, ip: "10.128.50.77" })).toEqual([]);
    const named = await conflicts({ id: b?.boardId, hostname: "si-05ractrl:co-srv-1" });
    expect(named.map((c) => `${c.field}/${c.holder}`).sort()).toEqual(["hostname/board", "hostname/node"]);
  });

  it("refuses params without a value, or a malformed one, with MGR_E_INVALID_PARAMS", async () => {
    for (const params of [{}, { ip: "10.128.50" }, { hostname: "-bad" }]) {
      expect(await request(admin, "hosts.conflicts", params)).toMatchObject({ status: "error", error: { code: "MGR_E_INVALID_PARAMS" } });
    }
  });

  it("a node saved over a conflict keeps the operator's reason in its history; an empty reason is refused", async () => {
    const node = { hostname: "SI-05RaCtrl--CO-Srv-8", ip: { mode: "manual", ip: "10.128.50.40", netmask: "255.255.255.0", gateway: "10.128.50.1" }, type: "mbtemp" };
    expect(await request(admin, "nodes.upsert", { ...node, reason: "  " })).toMatchObject({ status: "error", error: { code: "MGR_E_INVALID_PARAMS" } });
    expect((await request(admin, "nodes.upsert", { ...node, reason: "Srv-9 is being retired" })).status).toBe("ok");
    const hist = await request(admin, "history.query", { hostname: node.hostname, kind: ["registry"] });
    const entry = (hist.data as { items: { message: string; data: { reason?: string; after: { hostname: string } } }[] }).items[0];
    expect(entry?.message).toBe(`node ${node.hostname} created`);
    expect(entry?.data).toMatchObject({ reason: "Srv-9 is being retired", after: { hostname: node.hostname } });
    // The reason is the audit's, not the node's.
    expect((await request(admin, "nodes.get", { hostname: node.hostname })).data).not.toHaveProperty("node.reason");
  });
});
