import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { asBoard, asUser, closeAll, closed, collect, sleep, startBroker, until, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");
let tb: TestBroker;
beforeAll(async () => {
  tb = await startBroker();
});
afterEach(closeAll);
afterAll(async () => tb.stop());

it("refuses a duplicate client id and keeps the live board connected", async () => {
  const dup: unknown[] = [];
  tb.broker.events.on("duplicate-client", (e) => dup.push(e));
  const watcher = await asUser(tb.port, "vera");
  const got = collect(watcher);
  await watcher.subscribeAsync(t.heartbeat("b1"));

  const live = await asBoard(tb.port, "b1", { will: { topic: t.status("b1"), payload: Buffer.from('{"state":"lost"}'), qos: 1, retain: true } });
  let liveClosed = false;
  live.on("close", () => (liveClosed = true));
  await expect(asBoard(tb.port, "b1")).rejects.toThrow(/Identifier rejected/i);
  expect(dup).toEqual([{ clientId: "b1", address: "127.0.0.1" }]);
  await sleep(200);
  expect(liveClosed).toBe(false);
  await live.publishAsync(t.heartbeat("b1"), "{}");
  expect(await until(() => got.length === 1)).toBe(true);
  expect(tb.broker.connectedClients()).toBe(2);

  // Once the board is gone its id is free again.
  const gone = new Promise((r) => tb.broker.events.once("client-disconnected", r));
  await live.endAsync();
  expect(await gone).toEqual({ clientId: "b1", username: "b1", role: "agent" });
  await asBoard(tb.port, "b1");
});

it("lets a board reclaim its id from a user squatting it", async () => {
  const squatter = await asUser(tb.port, "vera", { clientId: "b6" });
  const kicked = closed(squatter);
  const board = await asBoard(tb.port, "b6");
  expect(await kicked).toBe(true);
  expect(board.connected).toBe(true);
  await expect(asUser(tb.port, "ada", { clientId: "b6" })).rejects.toThrow(/Identifier rejected/i);
});
