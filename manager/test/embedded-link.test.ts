import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, connectClient, request, startSimBoard, startTestServer, topics, waitFor, watchHosts, type SimBoard, type TestServer } from "./helpers.js";

/**
 * The all-in-one server's manager is an in-process client of its embedded broker (no socket):
 * it must behave like the network client it replaced — requests answered, board messages
 * followed, and a stop/start of the broker handled as a disconnect/reconnect that brings every
 * retained registry view back (the restarted broker keeps retained messages in memory only).
 */
describe("manager on the embedded broker's in-process link", () => {
  let srv: TestServer;
  let admin: MqttClient;
  let board: SimBoard;
  beforeAll(async () => {
    srv = await startTestServer();
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD, "dash-admin-link");
    board = await startSimBoard(srv.mqttUrl, 4242);
  });
  afterAll(async () => {
    admin?.end(true);
    await board?.stop();
    await srv?.stop();
  });

  it("holds no network connection of its own and answers requests", async () => {
    // The admin client and the board are the only connections.
    await waitFor(() => srv.server.broker?.connectedClients() === 2 || null, 5000, "the board connected");
    expect(srv.server.broker?.connectedClients()).toBe(2);
    expect(await request(admin, "server.info", {})).toMatchObject({ status: "ok", data: { broker: "embedded" } });
    const hosts = await watchHosts(admin);
    await hosts.waitState(board.boardId, "unregistered", 5000);
  });

  it("after a broker restart: manager online, every registry view retained again, requests and boards followed", async () => {
    expect((await request(admin, "types.upsert", { name: "mbtemp" })).status).toBe("ok");
    const node = {
      hostname: "LA-RaCtrl--CO-Link-1",
      ip: { mode: "manual", ip: "10.128.1.60", netmask: "255.255.255.128", gateway: "10.128.1.1" },
      type: "mbtemp",
    };
    expect((await request(admin, "nodes.upsert", node)).status).toBe("ok");
    admin.end(true);

    const broker = srv.server.broker!;
    const port = srv.server.ports.mqtt!;
    await broker.stop();
    expect(srv.server.manager.connected()).toBe(false);
    await broker.start({ mqttPort: port, bind: "127.0.0.1" });
    expect(srv.server.manager.connected()).toBe(true);

    // Every view goes out again, and stays retained in the new broker instance for later subscribers.
    const viewTopics = [topics.managerStatus(), topics.registryNode(node.hostname), topics.registryType("mbtemp"), topics.registrySummary()];
    const watch = async (clientId: string, retainedOnly: boolean) => {
      const c = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD, clientId);
      const got = new Map<string, string>();
      c.on("message", (topic, payload, packet) => {
        if (packet.retain || !retainedOnly) got.set(topic, payload.toString());
      });
      await c.subscribeAsync(viewTopics, { qos: 1 });
      await waitFor(() => got.size === viewTopics.length || null, 5000, `${clientId}: every view`).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}; got ${[...got.keys()].join(", ")}`);
      });
      return { c, got };
    };
    const first = await watch("dash-admin-first", false);
    first.c.end(true);
    const { c: late, got } = await watch("dash-admin-late", true);
    admin = late;
    expect(JSON.parse(got.get(topics.managerStatus())!)).toMatchObject({ state: "online" });
    expect(JSON.parse(got.get(topics.registryNode(node.hostname))!)).toMatchObject({ node: { hostname: node.hostname } });
    expect(await request(late, "nodes.list", {})).toMatchObject({ status: "ok" });
    // The board reconnects by itself (its agent's back-off) and is followed again.
    const hosts = await watchHosts(late);
    await hosts.waitState(board.boardId, "unregistered", 20_000);
  });
});
