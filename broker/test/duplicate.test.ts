import { expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { asBoard, asUser, closed, collect, until, useBroker } from "./helpers.js";

const t = createTopics("bbb");
const tb = useBroker();

it("a board's second connection takes over (MQTT-3.1.4-2): the new one is served, one takeover is no problem", async () => {
  const dup: unknown[] = [];
  tb.broker.events.on("duplicate-client", (e) => dup.push(e));
  const watcher = await asUser(tb.port, "vera");
  const got = collect(watcher);
  await watcher.subscribeAsync(t.heartbeat("b1"));

  const first = await asBoard(tb.port, "b1");
  const firstClosed = closed(first);
  const second = await asBoard(tb.port, "b1");
  expect(await firstClosed).toBe(true);
  await second.publishAsync(t.heartbeat("b1"), "{}");
  expect(await until(() => got.length === 1)).toBe(true);
  expect(tb.broker.connectedClients()).toBe(2);
  expect(dup).toEqual([]);

  const gone = new Promise((r) => tb.broker.events.once("client-disconnected", r));
  await second.endAsync();
  expect(await gone).toEqual({ clientId: "b1", username: "b1", role: "agent" });
});

it("lets a board take its id from a user squatting it; the user cannot take it back", async () => {
  const squatter = await asUser(tb.port, "vera", { clientId: "b6" });
  const kicked = closed(squatter);
  const board = await asBoard(tb.port, "b6");
  expect(await kicked).toBe(true);
  expect(board.connected).toBe(true);
  await expect(asUser(tb.port, "ada", { clientId: "b6" })).rejects.toThrow(/Identifier rejected/i);
});

it("a user's client id is that user's: another user cannot take it over", async () => {
  const vera = await asUser(tb.port, "vera", { clientId: "desk-1" });
  const veraClosed = closed(vera, 300);
  await expect(asUser(tb.port, "otto", { clientId: "desk-1" })).rejects.toThrow(/Identifier rejected/i);
  expect(await veraClosed).toBe(false);
});
