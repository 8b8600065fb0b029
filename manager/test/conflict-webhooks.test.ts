import { once } from "node:events";
import { createServer as createHttpServer, type Server } from "node:http";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFrontExtension } from "../src/front/front-extension.js";
import type { IncidentPayload } from "../src/front/webhooks/schemas.js";
import { ADMIN_PASSWORD, connectClient, request, startSimBoard, startTestServer, waitFor, type SimBoard, type TestServer } from "./helpers.js";

/**
 * Conflicts reach webhooks as any problem does (docs/protocol.md §"Registry states"): the real
 * server, demo-style simulated boards, a real HTTP receiver.
 */
describe("conflicts in webhooks", () => {
  let srv: TestServer;
  let admin: MqttClient;
  let receiver: Server;
  let hookUrl = "";
  const hooks: { path: string; body: IncidentPayload }[] = [];
  const boards: SimBoard[] = [];

  const call = async (method: string, params: unknown) => {
    const r = await request(admin, method, params);
    if (r.status !== "ok") throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  /** A board's problem codes; none while the registry does not know it yet. */
  const problemsOf = async (id: string) => {
    const r = await request(admin, "hosts.get", { id });
    return r.status === "ok" ? (r.data as { problems: { code: string }[] }).problems.map((p) => p.code) : [];
  };
  const board = async (index: number, hostname: string, ip: string) => {
    const b = await startSimBoard(srv.mqttUrl, index, { hostname, ip });
    boards.push(b);
    return b;
  };

  beforeAll(async () => {
    receiver = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        hooks.push({ path: req.url ?? "", body: JSON.parse(body) as IncidentPayload });
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    const addr = receiver.address();
    hookUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    srv = await startTestServer({}, { extensions: [createFrontExtension()] });
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    await call("types.upsert", { name: "mbtemp" });
    const codes = ["conflict-ip", "conflict-hostname", "conflict-node-ip"];
    // Grouped: both boards of one sector in one incident; delayed: a short overlap notifies nobody.
    await call("webhooks.upsert", { id: "conflicts", url: `${hookUrl}/conflicts`, states: [], problems: codes, delayMs: 1500, groupWindowMs: 1000 });
    // The same codes in sector 4, which is in maintenance.
    await call("webhooks.upsert", { id: "quiet", url: `${hookUrl}/quiet`, states: [], problems: codes, sectors: ["4"], delayMs: 0, groupWindowMs: 0 });
    await call("maintenance.upsert", { id: "works-4", sectors: ["4"], until: Date.now() + 3600_000, reason: "cabling" });
  });
  afterAll(async () => {
    for (const b of boards) await b.stop();
    await admin?.endAsync();
    await srv?.stop();
    receiver?.close();
  });

  it("two boards on one IP fire one grouped incident after the delay, naming both and the conflict, then resolve", async () => {
    const a = await board(71, "SI-03RaCtrl--CO-Srv-1", "10.128.30.31");
    const b = await board(72, "SI-03RaCtrl--CO-Srv-2", "10.128.30.31");
    await waitFor(async () => (await problemsOf(b.boardId)).includes("conflict-ip") || null, 10_000, "conflict-ip on the second board");
    // Within the rule's delay: nothing yet.
    expect(hooks.filter((h) => h.path === "/conflicts")).toEqual([]);
    const firing = await waitFor(() => hooks.find((h) => h.path === "/conflicts" && h.body.event === "firing")?.body ?? null, 10_000, "firing webhook");
    expect(firing.incident.sector).toBe("3");
    expect(firing.incident.problems).toContain("conflict-ip");
    expect(firing.incident.boards.map((x) => x.boardId).sort()).toEqual([a.boardId, b.boardId].sort());
    for (const x of firing.incident.boards) expect(x.problems?.[0]).toMatchObject({ code: "conflict-ip", message: expect.stringContaining("10.128.30.31") as unknown });
    expect(firing.text).toMatch(/2 boards .*IP conflict.* in sector 3/);
    await b.stop();
    const resolved = await waitFor(() => hooks.find((h) => h.path === "/conflicts" && h.body.event === "resolved")?.body ?? null, 15_000, "resolved webhook");
    expect(resolved.incident.id).toBe(firing.incident.id);
    expect(hooks.filter((h) => h.path === "/conflicts" && h.body.event === "firing")).toHaveLength(1);
  });

  it("a board holding the IP a node of another board is registered with fires as conflict-node-ip", async () => {
    await call("nodes.upsert", {
      hostname: "SI-06RaCtrl--CO-Srv-9",
      ip: { mode: "manual", ip: "10.128.60.40", netmask: "255.255.255.0", gateway: "10.128.60.1" },
      type: "mbtemp",
    });
    const stray = await board(73, "SI-06RaCtrl--CO-Srv-5", "10.128.60.40");
    await waitFor(async () => (await problemsOf(stray.boardId)).includes("conflict-node-ip") || null, 10_000, "conflict-node-ip");
    const view = (await call("hosts.get", { id: stray.boardId })) as { state: string; problems: { code: string; with?: string[]; message: string }[] };
    expect(view.state).toBe("unregistered");
    expect(view.problems.find((p) => p.code === "conflict-node-ip")).toMatchObject({ with: ["SI-06RaCtrl--CO-Srv-9"], message: expect.stringContaining("node SI-06RaCtrl:CO-Srv-9") as unknown });
    const firing = await waitFor(
      () => hooks.find((h) => h.path === "/conflicts" && h.body.event === "firing" && h.body.incident.boards.some((x) => x.boardId === stray.boardId))?.body ?? null,
      10_000,
      "firing webhook for the stray board",
    );
    expect(firing.incident.boards[0]?.problems?.[0]?.code).toBe("conflict-node-ip");
    // Its registered board is not around: the node is still the address's owner; the board moving off clears it.
    await stray.stop();
    await waitFor(() => hooks.find((h) => h.path === "/conflicts" && h.body.event === "resolved" && h.body.incident.id === firing.incident.id) ?? null, 15_000, "resolved");
  });

  it("a conflict in a sector under maintenance is silenced, not delivered", async () => {
    const a = await board(74, "SI-04RaCtrl--CO-Srv-1", "10.128.40.41");
    await board(75, "SI-04RaCtrl--CO-Srv-1", "10.128.40.42");
    await waitFor(async () => (await problemsOf(a.boardId)).includes("conflict-hostname") || null, 10_000, "conflict-hostname");
    const silenced = await waitFor(async () => {
      const d = (await call("webhooks.deliveries", {})) as { items: { ruleId: string; status: string }[] };
      return d.items.find((x) => x.ruleId === "quiet" && x.status === "silenced") ?? null;
    }, 10_000, "a silenced delivery");
    expect(silenced.status).toBe("silenced");
    expect(hooks.filter((h) => h.path === "/quiet")).toEqual([]);
  });
});
