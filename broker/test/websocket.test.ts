import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { createTopics } from "@bbb/shared";
import { asBoard, asUser, closeAll, collect, startBroker, until, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");
let tb: TestBroker;
let server: http.Server;
let port: number;
const other = new WebSocketServer({ noServer: true });
beforeAll(async () => {
  tb = await startBroker();
  server = http.createServer((_req, res) => res.end("ok"));
  // Another upgrade path of the same server stays with its own handler.
  server.on("upgrade", (req, socket, head) => {
    if (req.url === "/other") other.handleUpgrade(req, socket, head, (ws) => ws.send("hello from /other"));
  });
  tb.broker.attachWebSocket(server);
  tb.broker.attachWebSocket(server, "/mqtt");
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterEach(closeAll);
afterAll(async () => {
  await tb.stop();
  other.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

it("serves MQTT over WebSocket at /mqtt with the same authentication", async () => {
  const viewer = await asUser(`ws://127.0.0.1:${port}/mqtt`, "vera");
  const got = collect(viewer);
  await viewer.subscribeAsync(t.filters.allHeartbeats);
  const board = await asBoard(tb.port, "b1");
  await board.publishAsync(t.heartbeat("b1"), "{}");
  expect(await until(() => got.length === 1)).toBe(true);
  await expect(asUser(`ws://127.0.0.1:${port}/mqtt`, "vera", { password: "wrong-password" })).rejects.toThrow(/Bad username or password/i);
  expect(tb.logs.some((l) => l.msg === "authentication failed" && l.address === "127.0.0.1")).toBe(true);
});

it("leaves other upgrade paths alone", async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
  const msg = await new Promise<string>((resolve, reject) => {
    ws.once("message", (d: Buffer) => resolve(d.toString()));
    ws.once("error", reject);
  });
  ws.close();
  expect(msg).toBe("hello from /other");
});
