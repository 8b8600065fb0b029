import { expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { MOSQUITTO, PASSWORDS, asBoard, asUser, collect, mosquitto, sleep, until, useBroker } from "./helpers.js";

const t = createTopics("bbb");
const tb = useBroker();

/**
 * QoS 0 messages are written to subscribers by direct-qos0.ts, not by Aedes' writer: what each
 * subscriber gets on the wire must not change. Live messages carry RETAIN 0 and replays on a
 * new subscription RETAIN 1 (MQTT 3.1.1 §3.3.1.3), payloads of every size arrive whole, and several
 * subscribers of one message each get it once.
 */
it("live messages, replays and large payloads reach every subscriber as before", async () => {
  const board = await asBoard(tb.port, "b1");
  const a = await asUser(tb.port, "vera");
  const b = await asUser(tb.port, "otto");
  await a.subscribeAsync(t.heartbeat("+"));
  // Two overlapping subscriptions: still one copy of each message.
  await b.subscribeAsync([t.heartbeat("+"), "bbb/b1/#"]);
  const gotA = collect(a);
  const gotB = collect(b);
  const big = JSON.stringify({ pad: "é".repeat(60_000) }); // 120 KB: a three-byte remaining length
  await board.publishAsync(t.heartbeat("b1"), "small", { qos: 0, retain: true });
  await board.publishAsync(t.heartbeat("b1"), big, { qos: 0, retain: true });
  await until(() => gotA.length === 2 && gotB.length === 2, 5000);
  await sleep(100);
  for (const got of [gotA, gotB]) {
    expect(got.map((m) => [m.topic, m.payload.length, m.retain])).toEqual([
      [t.heartbeat("b1"), 5, false],
      [t.heartbeat("b1"), big.length, false],
    ]);
    expect(got[1]?.payload).toBe(big);
  }
  // A later subscriber is replayed the newest message, RETAIN set.
  const c = await asUser(tb.port, "ada");
  const gotC = collect(c);
  await c.subscribeAsync(t.heartbeat("b1"));
  await until(() => gotC.length === 1);
  expect(gotC.map((m) => [m.payload === big, m.retain])).toEqual([[true, true]]);
});

it.skipIf(!MOSQUITTO)("mosquitto_sub reads the same topics, payloads and RETAIN flags", async () => {
  const board = await asBoard(tb.port, "b2");
  await board.publishAsync(t.heartbeat("b2"), "first", { qos: 0, retain: true });
  const args = (n: number) => ["-h", "127.0.0.1", "-p", String(tb.port), "-u", "vera", "-P", PASSWORDS.vera, "-t", t.heartbeat("b2"), "-C", String(n), "-F", "%r %t %p", "-W", "5"];
  // Started first: the replay (RETAIN 1), then a live message (RETAIN 0).
  const live = mosquitto("mosquitto_sub", args(2), 8000);
  await sleep(500);
  await board.publishAsync(t.heartbeat("b2"), "second ü", { qos: 0, retain: true });
  const out = await live;
  expect(out.code).toBe(0);
  expect(out.stdout.trim().split("\n")).toEqual([`1 ${t.heartbeat("b2")} first`, `0 ${t.heartbeat("b2")} second ü`]);
});
