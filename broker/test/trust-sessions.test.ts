import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { TAKEOVER_LIMIT } from "../src/client-ids.js";
import mqtt from "mqtt";
import { asBoard, boardToken, asUser, closeAll, closed, collect, sleep, startBroker, until, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");
let tb: TestBroker;
let dup: { clientId: string }[] = [];
const onDup = (e: { clientId: string }) => dup.push(e);
beforeAll(async () => {
  tb = await startBroker();
  tb.broker.events.on("duplicate-client", onDup);
});
afterEach(async () => {
  await closeAll();
  dup = [];
});
afterAll(async () => tb.stop());

const lostWill = (id: string, session: string) => ({
  will: { topic: t.status(id), payload: Buffer.from(JSON.stringify({ state: "lost", session })), qos: 1 as const, retain: true },
});

it("no user, admin included, takes an offline board's session: its queued commands stay the board's", async () => {
  const board = await asBoard(tb.port, "b15", { clean: false });
  await board.subscribeAsync(t.cmd("b15", "#"), { qos: 1 });
  await board.endAsync();
  const otto = await asUser(tb.port, "otto");
  await otto.publishAsync(t.cmd("b15", "reboot"), '{"requestId":"r1"}', { qos: 1 });
  for (const user of ["vera", "otto", "ada"] as const) {
    await expect(asUser(tb.port, user, { clientId: "b15", clean: false }), user).rejects.toThrow(/Identifier rejected/i);
  }
  expect(dup).toEqual([]);
  // Listening before CONNACK: the queued command follows it at once.
  const got: string[] = [];
  const back = mqtt.connect(`mqtt://127.0.0.1:${tb.port}`, {
    clientId: "b15", username: "b15", password: boardToken("b15"), clean: false, reconnectPeriod: 0, protocolVersion: 4,
  });
  back.on("message", (topic) => got.push(topic));
  try {
    expect(await until(() => got.includes(t.cmd("b15", "reboot")))).toBe(true);
  } finally {
    await back.endAsync(true);
  }
});

it("a user trying a live board's id is refused without a duplicate-connection problem; the board stays", async () => {
  const board = await asBoard(tb.port, "b16");
  const boardClosed = closed(board, 500);
  await expect(asUser(tb.port, "ada", { clientId: "b16" })).rejects.toThrow(/Identifier rejected/i);
  expect(await boardClosed).toBe(false);
  expect(dup).toEqual([]);
});

it("a session planted under a board id never seen is not the board's: it starts fresh, without the planted subscriptions", async () => {
  const vera = await asUser(tb.port, "vera", { clientId: "b17", clean: false });
  await vera.subscribeAsync("bbb/#", { qos: 1 });
  await vera.endAsync();
  const board = await asBoard(tb.port, "b17", { clean: false });
  const got = collect(board);
  const other = await asBoard(tb.port, "b18");
  await other.publishAsync(t.heartbeat("b18"), "{}", { qos: 1, retain: true });
  await sleep(200);
  expect(got.filter((m) => m.topic.startsWith("bbb/b18"))).toEqual([]);
  // The squatter's session is gone for good: the user cannot come back to it either.
  await expect(asUser(tb.port, "vera", { clientId: "b17", clean: false })).rejects.toThrow(/Identifier rejected/i);
});

it("a board's new connection takes over its half-open old one; the old will does not say lost", async () => {
  const watcher = await asUser(tb.port, "vera");
  const got = collect(watcher);
  await watcher.subscribeAsync(t.status("b19"), { qos: 1 });
  const old = await asBoard(tb.port, "b19", lostWill("b19", "s-old"));
  const oldClosed = closed(old);
  const fresh = await asBoard(tb.port, "b19", lostWill("b19", "s-new"));
  expect(await oldClosed).toBe(true);
  expect(fresh.connected).toBe(true);
  await sleep(200);
  expect(got.filter((m) => m.payload.includes("lost"))).toEqual([]);
  expect(dup).toEqual([]);
});

it(`two places taking one board id from each other (${TAKEOVER_LIMIT} takeovers) raise a duplicate-connection problem`, async () => {
  await asBoard(tb.port, "b20");
  for (let i = 1; i < TAKEOVER_LIMIT; i++) await asBoard(tb.port, "b20");
  expect(dup).toEqual([]);
  const last = await asBoard(tb.port, "b20");
  expect(dup).toEqual([{ clientId: "b20", address: "127.0.0.1" }]);
  expect(last.connected).toBe(true);
});
