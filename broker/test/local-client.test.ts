import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTopics, type RequestAuth } from "@bbb/shared";
import { BrokerErrorCodes, deriveStampKey, verifyRequestAuth, type LocalClient } from "../src/index.js";
import { SECRET, asBoard, asUser, closeAll, collect, sleep, startBroker, until, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");
let tb: TestBroker;
const locals: LocalClient[] = [];
beforeAll(async () => {
  tb = await startBroker();
});
afterEach(async () => {
  await closeAll();
  await Promise.all(locals.splice(0).map((l) => l.close()));
});
afterAll(async () => tb.stop());

interface Got {
  topic: string;
  payload: string;
  retained: boolean;
}
function local(onHandler?: (m: Got) => void): { client: LocalClient; got: Got[]; errors: string[] } {
  const got: Got[] = [];
  const errors: string[] = [];
  const client = tb.broker.localClient({
    message: (topic, payload, retained) => {
      const m = { topic, payload: payload.toString(), retained };
      got.push(m);
      onHandler?.(m);
    },
    error: (err, topic) => errors.push(`${topic}: ${(err as Error).message}`),
  });
  locals.push(client);
  return { client, got, errors };
}

describe("local client (in-process subscriber of the embedded broker)", () => {
  it("gets the retained messages on subscribe, then live ones as not retained", async () => {
    const board = await asBoard(tb.port, "bbb-local-1");
    await board.publishAsync(t.heartbeat("bbb-local-1"), '{"n":1}', { qos: 1, retain: true });
    const { client, got } = local();
    await client.subscribe([t.filters.allHeartbeats]);
    expect(await until(() => got.length === 1)).toBe(true);
    expect(got[0]).toEqual({ topic: t.heartbeat("bbb-local-1"), payload: '{"n":1}', retained: true });

    await board.publishAsync(t.heartbeat("bbb-local-1"), '{"n":2}', { qos: 0, retain: true });
    expect(await until(() => got.length === 2)).toBe(true);
    expect(got[1]).toEqual({ topic: t.heartbeat("bbb-local-1"), payload: '{"n":2}', retained: false });
    // Subscribing to the same filter again neither doubles deliveries nor replays.
    await client.subscribe([t.filters.allHeartbeats]);
    await board.publishAsync(t.heartbeat("bbb-local-1"), '{"n":3}', { qos: 1, retain: true });
    expect(await until(() => got.length === 3)).toBe(true);
    await sleep(50);
    expect(got.map((m) => m.payload)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    await board.publishAsync(t.heartbeat("bbb-local-1"), "", { qos: 1, retain: true });
  });

  it("sees manager requests after the broker stamped the publisher's identity", async () => {
    const { client, got } = local();
    await client.subscribe([t.filters.managerRequests]);
    const viewer = await asUser(tb.port, "vera", { clientId: "dash-vera" });
    const forged = { transaction: "t1", params: {}, auth: { username: "ada", role: "admin", clientId: "x", sig: "0".repeat(64) } };
    await viewer.publishAsync(t.managerRequest("users.list"), JSON.stringify(forged), { qos: 1 });
    expect(await until(() => got.length === 1)).toBe(true);
    const auth = (JSON.parse(got[0]!.payload) as { auth: RequestAuth }).auth;
    expect(auth).toMatchObject({ username: "vera", role: "viewer", clientId: "dash-vera" });
    expect(verifyRequestAuth(deriveStampKey(SECRET), auth, "t1")).toBe(true);
  });

  it("publishes to network subscribers, retained ones stored for late subscribers", async () => {
    const { client } = local();
    const early = await asUser(tb.port, "vera");
    const seen = collect(early);
    await early.subscribeAsync(t.registryHost("bbb-local-2"), { qos: 1 });
    await client.publish(t.registryHost("bbb-local-2"), '{"state":"online"}', { qos: 1, retain: true });
    expect(await until(() => seen.length === 1)).toBe(true);
    expect(seen[0]).toMatchObject({ payload: '{"state":"online"}', retain: false });
    const late = await asUser(tb.port, "vera");
    const lateSeen = collect(late);
    await late.subscribeAsync(t.registryHost("bbb-local-2"), { qos: 1 });
    expect(await until(() => lateSeen.length === 1)).toBe(true);
    expect(lateSeen[0]).toMatchObject({ payload: '{"state":"online"}', retain: true });
    await client.publish(t.registryHost("bbb-local-2"), "", { qos: 1, retain: true });
  });

  it("keeps delivering after a handler throws, and stops after unsubscribe and close", async () => {
    const { client, got, errors } = local((m) => {
      if (m.payload === "boom") throw new Error("handler bug");
    });
    await client.subscribe([t.filters.allStatus]);
    const board = await asBoard(tb.port, "bbb-local-3");
    await board.publishAsync(t.status("bbb-local-3"), "boom", { qos: 1 });
    await board.publishAsync(t.status("bbb-local-3"), "after", { qos: 1 });
    expect(await until(() => got.length === 2)).toBe(true);
    expect(errors).toEqual([`${t.status("bbb-local-3")}: handler bug`]);

    await client.unsubscribe([t.filters.allStatus]);
    await board.publishAsync(t.status("bbb-local-3"), "unheard", { qos: 1 });
    await client.subscribe([t.filters.allHeartbeats]);
    await client.close();
    await board.publishAsync(t.heartbeat("bbb-local-3"), "unheard", { qos: 1 });
    await sleep(100);
    expect(got.map((m) => m.payload)).toEqual(["boom", "after"]);
    await expect(client.publish(t.status("x"), "y", { qos: 0, retain: false })).rejects.toMatchObject({
      code: BrokerErrorCodes.NOT_RUNNING,
    });
  });

  it("hands a handler's own publish back to it after the current delivery, in order", async () => {
    const order: string[] = [];
    const { client } = local((m) => {
      order.push(m.payload);
      if (m.payload === "first") void client.publish(t.status("bbb-local-4"), "echo", { qos: 0, retain: false });
    });
    await client.subscribe([t.status("bbb-local-4")]);
    const board = await asBoard(tb.port, "bbb-local-4");
    board.publish(t.status("bbb-local-4"), "first", { qos: 0 });
    board.publish(t.status("bbb-local-4"), "second", { qos: 0 });
    expect(await until(() => order.length === 3)).toBe(true);
    expect(order[0]).toBe("first");
    expect(order.slice(1).sort()).toEqual(["echo", "second"]);
  });

  it("outlives a broker restart: down, then up and subscribed again on the new instance", async () => {
    const { startBroker: start } = await import("./helpers.js");
    const own = await start();
    try {
      const events: string[] = [];
      const got: Got[] = [];
      const client = own.broker.localClient({
        message: (topic, payload, retained) => got.push({ topic, payload: payload.toString(), retained }),
        error: () => undefined,
        up: () => events.push("up"),
        down: () => events.push("down"),
      });
      expect(await until(() => events.length === 1)).toBe(true);
      await client.subscribe([t.filters.allStatus]);
      // A board with a will: the stopping broker publishes it, the detached client must not hand it over.
      await asBoard(own.port, "bbb-local-6", { will: { topic: t.status("bbb-local-6"), payload: Buffer.from("lost"), qos: 1, retain: false } });
      await own.broker.stop();
      expect(events).toEqual(["up", "down"]);
      await sleep(50);
      expect(got).toEqual([]);
      await expect(client.publish(t.status("x"), "y", { qos: 0, retain: false })).rejects.toMatchObject({
        code: BrokerErrorCodes.NOT_RUNNING,
      });
      await own.broker.start({ mqttPort: own.port, bind: "127.0.0.1" });
      expect(events).toEqual(["up", "down", "up"]);
      const board = await asBoard(own.port, "bbb-local-5");
      await board.publishAsync(t.status("bbb-local-5"), "back", { qos: 1 });
      expect(await until(() => got.length === 1)).toBe(true);
      expect(got[0]).toEqual({ topic: t.status("bbb-local-5"), payload: "back", retained: false });
      await client.close();
    } finally {
      await closeAll();
      await own.stop();
    }
  });
});
