import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_PACKET_BYTES, createTopics } from "@bbb/shared";
import { asBoard, asUser, closeAll, closed, collect, sleep, startBroker, until, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");
let tb: TestBroker;
let server: http.Server;
let wsUrl: string;
beforeAll(async () => {
  tb = await startBroker();
  server = http.createServer((_req, res) => res.end("ok"));
  tb.broker.attachWebSocket(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/mqtt`;
});
afterEach(closeAll);
afterAll(async () => {
  await tb.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe.each([
  ["TCP", () => tb.port],
  ["WebSocket", () => wsUrl],
] as const)("maximum packet size over %s", (_name, target) => {
  it("closes the connection on an oversize packet and keeps smaller ones", async () => {
    const events: { size: number; clientId?: string }[] = [];
    const onEvent = (e: { size: number; clientId?: string }) => events.push(e);
    tb.broker.events.on("packet-too-large", onEvent);
    const watcher = await asUser(tb.port, "vera");
    const got = collect(watcher);
    await watcher.subscribeAsync(t.log("b1"));
    const board = await asBoard(target(), "b1");
    await board.publishAsync(t.log("b1"), Buffer.alloc(MAX_PACKET_BYTES - 1024, 0x61));
    expect(await until(() => got.length === 1)).toBe(true);

    const wasClosed = closed(board);
    board.publish(t.log("b1"), Buffer.alloc(MAX_PACKET_BYTES + 1, 0x61));
    expect(await wasClosed).toBe(true);
    await sleep(100);
    expect(got).toHaveLength(1);
    expect(events).toHaveLength(1);
    expect(events[0]?.clientId).toBe("b1");
    expect(events[0]?.size).toBeGreaterThan(MAX_PACKET_BYTES);
    expect(tb.logs.some((l) => l.msg === "packet too large, connection closed" && l.level === 40 && l.clientId === "b1")).toBe(true);
    tb.broker.events.off("packet-too-large", onEvent);
  });
});
