import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEventBus, type EventBus, type StateChangeEvent } from "../src/service/events.js";
import { createRpcSocketServer, type RpcSocketServer } from "../src/front/socket/rpc-socket-server.js";
import { authenticate, byId, lineClient, makeMethods, silentLog, type LineClient } from "./front-fixtures.js";

describe("command socket under load", () => {
  let server: RpcSocketServer;
  let events: EventBus;
  let port: number;
  const clients: LineClient[] = [];
  beforeAll(async () => {
    events = createEventBus();
    server = createRpcSocketServer({
      methods: makeMethods(),
      authenticate,
      events,
      log: silentLog,
      limits: { maxBufferedBytes: 256 * 1024 },
    });
    ({ port } = await server.start({ port: 0, bind: "127.0.0.1" }));
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it("keeps answering 199 clients while one subscriber never reads", async () => {
    const login = async (c: LineClient) => {
      c.send({ jsonrpc: "2.0", id: "a", method: "auth", params: { username: "viewer", password: "view-pw" } });
      await c.next(byId("a"));
    };
    const all = await Promise.all(Array.from({ length: 200 }, () => lineClient(port)));
    clients.push(...all);
    await Promise.all(all.map(login));
    const [stalled, ...others] = all as [LineClient, ...LineClient[]];
    const subscribers = [stalled, ...others.slice(0, 10)];
    for (const c of subscribers) c.send({ jsonrpc: "2.0", id: "s", method: "events.subscribe", params: {} });
    await Promise.all(subscribers.map((c) => c.next(byId("s"))));
    stalled.socket.pause();
    expect(server.connectionCount()).toBe(200);

    // ~2 KiB per event; the flood is spread over event-loop turns, as a busy registry would emit.
    const padding = "x".repeat(500);
    const event = (i: number): StateChangeEvent => ({
      kind: "state-change",
      boardId: `b${i}`,
      hostname: "h",
      sector: "1",
      type: "t",
      from: "online",
      to: "lost",
      problems: [0, 1, 2].map(() => ({ code: "mismatch", message: padding })),
      ts: i,
    });
    let flooding = true;
    const flood = (async () => {
      for (let i = 0; i < 10_000 && flooding; i++) {
        events.emit(event(i));
        if (i % 200 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    const calls = others.map(async (c, k) => {
      for (let j = 0; j < 3; j++) {
        const id = `c${k}-${j}`;
        c.send({ jsonrpc: "2.0", id, method: "hosts.get", params: { id: "b0001" } });
        const r = await c.next(byId(id), 20_000);
        expect(r.result.id).toBe("b0001");
      }
    });
    await Promise.all(calls);
    await flood;
    flooding = false;
    // The stalled reader passed its write budget and was dropped; the others are all still there.
    const deadline = Date.now() + 10_000;
    while (server.connectionCount() !== 199 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(server.connectionCount()).toBe(199);
    const last = others[others.length - 1] as LineClient;
    last.send({ jsonrpc: "2.0", id: "final", method: "hosts.list", params: { limit: 1 } });
    expect((await last.next(byId("final"))).result).toHaveLength(1);
  });
});
