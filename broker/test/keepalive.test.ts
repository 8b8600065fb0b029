import { connect as tcpConnect, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { asBoard, asUser, boardToken, closeAll, closed, collect, sleep, startBroker, until, type TestBroker } from "./helpers.js";
import { connectPacket } from "./raw-connect.js";

const t = createTopics("bbb");
let tb: TestBroker;
const sockets = new Set<Socket>();
beforeAll(async () => {
  tb = await startBroker();
});
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await closeAll();
});
afterAll(async () => tb.stop());

/** A board that sends its CONNECT (keepalive 1 s, retained `lost` will) and then nothing at all. */
function silentBoard(id: string): Promise<number> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: "127.0.0.1", port: tb.port });
    sockets.add(s);
    s.on("error", () => undefined);
    s.on("connect", () =>
      s.write(
        connectPacket({
          clientId: id,
          clean: true,
          username: id,
          password: boardToken(id),
          keepaliveS: 1,
          will: { topic: t.status(id), payload: '{"state":"lost"}', qos: 1, retain: true },
        }),
      ),
    );
    s.once("data", (d: Buffer) => resolve(d[3] ?? -1));
  });
}

it("a silent board's keepalive expires (never before 1.5 × keepalive) and its retained will is published", async () => {
  const watcher = await asUser(tb.port, "vera");
  const got = collect(watcher);
  await watcher.subscribeAsync(t.status("ka1"), { qos: 1 });
  const t0 = Date.now();
  expect(await silentBoard("ka1")).toBe(0);
  expect(await until(() => got.some((m) => m.payload === '{"state":"lost"}'), 10_000)).toBe(true);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  // Retained: a later subscriber is told too.
  const late = await asUser(tb.port, "otto");
  const lateGot = collect(late);
  await late.subscribeAsync(t.status("ka1"), { qos: 1 });
  expect(await until(() => lateGot.some((m) => m.retain && m.payload === '{"state":"lost"}'))).toBe(true);
});

it("boards that keep talking within their keepalive stay connected", async () => {
  const boards = await Promise.all(["ka2", "ka3", "ka4"].map((id) => asBoard(tb.port, id, { keepalive: 1 })));
  const gone = boards.map((b) => closed(b, 3500));
  await sleep(3200);
  expect(await Promise.all(gone)).toEqual([false, false, false]);
  expect(boards.every((b) => b.connected)).toBe(true);
});

it("retained heartbeats: the last one per board reaches a later subscriber, an empty payload clears it", async () => {
  const board = await asBoard(tb.port, "ka5");
  // QoS 1 here (boards use 0): the PUBACK comes after the broker stored the message, so the
  // later subscriber's connection cannot overtake it.
  await board.publishAsync(t.heartbeat("ka5"), '{"n":1}', { retain: true, qos: 1 });
  await board.publishAsync(t.heartbeat("ka5"), '{"n":2, "longer": true}', { retain: true, qos: 1 });
  const viewer = await asUser(tb.port, "vera");
  const got = collect(viewer);
  await viewer.subscribeAsync("bbb/+/heartbeat");
  expect(await until(() => got.length === 1)).toBe(true);
  expect(got[0]).toEqual({ topic: t.heartbeat("ka5"), payload: '{"n":2, "longer": true}', retain: true });
  await board.publishAsync(t.heartbeat("ka5"), "", { retain: true, qos: 1 });
  const again = await asUser(tb.port, "otto");
  const got2 = collect(again);
  await again.subscribeAsync(`bbb/ka5/#`);
  await sleep(200);
  expect(got2.filter((m) => m.topic === t.heartbeat("ka5"))).toEqual([]);
});
