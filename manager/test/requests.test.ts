import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { ADMIN_PASSWORD, connectClient, request, startTestServer, type TestServer } from "./helpers.js";

// The MQTT request/response front door: roles from the broker's stamp, stable error codes.
describe("MQTT request/response", () => {
  let srv: TestServer;
  let admin: MqttClient;
  let viewer: MqttClient;

  beforeAll(async () => {
    srv = await startTestServer();
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    const r = await request(admin, "users.upsert", {
      username: "watcher",
      role: "viewer",
      password: "watcher-password",
    });
    expect(r.status).toBe("ok");
    viewer = await connectClient(srv.mqttUrl, "watcher", "watcher-password");
  });
  afterAll(async () => {
    await viewer?.endAsync();
    await admin?.endAsync();
    await srv?.stop();
  });

  it("lets a viewer list hosts, sectors and server info", async () => {
    const hosts = await request(viewer, "hosts.list", {});
    expect(hosts).toMatchObject({ status: "ok", data: { total: 0, items: [] } });
    const sectors = await request(viewer, "sectors.list", undefined);
    expect(sectors.status).toBe("ok");
    expect((sectors.data as { items: { name: string }[] }).items.map((s) => s.name)).toContain("LINAC");
    const info = await request(viewer, "server.info", {});
    expect(info.status).toBe("ok");
    expect((info.data as { ports: { mqtt: number } }).ports.mqtt).toBeGreaterThan(0);
    expect((info.data as { caller: unknown }).caller).toEqual({ username: "watcher", role: "viewer" });
  });

  // A bound on a hang, not a speed: importing 1,000 nodes takes seconds on a loaded machine.
  it("refuses an answer bigger than the broker's packet limit with MGR_E_TOO_LARGE and stays connected", { timeout: 90_000 }, async () => {
    expect((await request(admin, "types.upsert", { name: "bulk-type" })).status).toBe("ok");
    const rows = ["hostname,ip,type,notes"];
    const notes = "n".repeat(180); // the request stays under the packet limit, the full list does not
    for (let i = 0; i < 1000; i++) rows.push(`bulk-${i},dhcp,bulk-type,${notes}`);
    const imported = await request(admin, "nodes.import", { csv: rows.join("\n") });
    expect(imported.status).toBe("ok");
    const big = await request(viewer, "nodes.list", { limit: 1000 });
    expect(big).toMatchObject({ status: "error", error: { code: "MGR_E_TOO_LARGE" } });
    const page = await request(viewer, "nodes.list", { limit: 50 });
    expect(page.status).toBe("ok");
    expect((page.data as { items: unknown[] }).items).toHaveLength(50);
    await request(admin, "nodes.import", { csv: "hostname,ip,type", replace: true });
    await request(admin, "types.remove", { name: "bulk-type" });
  });

  it("refuses commands and registry edits to a viewer with MGR_E_FORBIDDEN", async () => {
    const cmd = await request(viewer, "hosts.command", { id: "a0f6fd8b1c22", action: "reboot" });
    expect(cmd).toMatchObject({ status: "error", error: { code: "MGR_E_FORBIDDEN" } });
    const edit = await request(viewer, "types.upsert", { name: "mbtemp" });
    expect(edit).toMatchObject({ status: "error", error: { code: "MGR_E_FORBIDDEN" } });
    const users = await request(viewer, "users.list", {});
    expect(users).toMatchObject({ status: "error", error: { code: "MGR_E_FORBIDDEN" } });
  });

  it("answers an unknown method with MGR_E_UNKNOWN_METHOD", async () => {
    const r = await request(viewer, "hosts.explode", {});
    expect(r).toMatchObject({ status: "error", error: { code: "MGR_E_UNKNOWN_METHOD" } });
  });

  it("answers invalid params with MGR_E_INVALID_PARAMS and a readable message", async () => {
    const r = await request(viewer, "hosts.list", { state: "sleepy", limit: -1 });
    expect(r).toMatchObject({ status: "error", error: { code: "MGR_E_INVALID_PARAMS" } });
    expect(r.error?.message).toMatch(/state|limit/);
    const args = await request(admin, "hosts.command", {
      id: "a0f6fd8b1c22",
      action: "set-hostname",
      args: { hostname: "bad host!" },
    });
    expect(args).toMatchObject({ status: "error", error: { code: "MGR_E_INVALID_PARAMS" } });
  });

  it("keeps a node, a type and their audit trail; MGR_E_NOT_FOUND and MGR_E_CONFLICT where due", async () => {
    expect((await request(admin, "types.upsert", { name: "mbtemp", description: "MBTemp" })).status).toBe("ok");
    const node = await request(admin, "nodes.upsert", {
      hostname: "LA-RaCtrl:CO-Srv-1",
      ip: { mode: "manual", ip: "10.128.1.10", netmask: "255.255.255.128", gateway: "10.128.1.1" },
      type: "mbtemp",
    });
    expect(node).toMatchObject({ status: "ok", data: { node: { hostname: "LA-RaCtrl--CO-Srv-1" }, state: "missing" } });
    const list = await request(viewer, "hosts.list", { state: "missing" });
    expect(list).toMatchObject({ status: "ok", data: { total: 1, items: [{ state: "missing", sector: "LINAC" }] } });
    expect(await request(admin, "types.remove", { name: "mbtemp" })).toMatchObject({
      status: "error",
      error: { code: "MGR_E_CONFLICT" },
    });
    expect(await request(viewer, "nodes.get", { hostname: "nope" })).toMatchObject({
      status: "error",
      error: { code: "MGR_E_NOT_FOUND" },
    });
    const hist = await request(viewer, "history.query", { kind: ["registry"] });
    const messages = (hist.data as { items: { message: string; by: string }[] }).items;
    expect(messages.map((m) => m.message)).toEqual(
      expect.arrayContaining(["type mbtemp created", "node LA-RaCtrl--CO-Srv-1 created"]),
    );
    expect(messages.every((m) => m.by === "admin")).toBe(true);
  });
});
