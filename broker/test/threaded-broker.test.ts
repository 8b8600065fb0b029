import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { createBroker, createThreadedBroker, createUserStore, type Broker, type LocalClient, type UserStore } from "../src/index.js";
import { PASSWORDS, ROOT, SECRET, asBoard, asUser, closeAll, closed, collect, connect, until } from "./helpers.js";

/**
 * The embedded broker on its own thread (thread/threaded-broker.ts), against the real worker
 * (the built broker-worker.js), real sockets, MQTT.js and a real user store on this thread:
 * what the all-in-one server relies on must behave as with the broker on the main thread.
 */
const t = createTopics(ROOT);
let dir: string;
let users: UserStore;
let broker: Broker;
let port: number;
let http1: http.Server;
let wsUrl: string;
const logs: Record<string, unknown>[] = [];
const known = new Set(["squatted-board"]);
const inbox: { topic: string; payload: string; retained: boolean }[] = [];
const states: string[] = [];
let local: LocalClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-thread-"));
  const log = pino({ level: "debug" }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
  users = createUserStore({ file: join(dir, "users.json"), log });
  await users.load();
  await users.upsert("vera", "viewer", PASSWORDS.vera);
  await users.upsert("ada", "admin", PASSWORDS.ada);
  // Event-loop delay windows of 300 ms instead of 10 s, so a test sees several close.
  broker = createThreadedBroker({ log, topicRoot: ROOT, fleetSecret: SECRET, users, isKnownBoard: (id) => known.has(id), lagWindowMs: 300 });
  // Subscribed before the start: the filters are taken with the start, before any board connects.
  local = broker.localClient({
    message: (topic, payload, retained) => inbox.push({ topic, payload: payload.toString(), retained }),
    error: (err) => {
      throw err;
    },
    up: () => states.push("up"),
    down: () => states.push("down"),
  });
  await local.subscribe([t.filters.allHeartbeats]);
  port = (await broker.start({ mqttPort: 0, bind: "127.0.0.1" })).mqttPort;
  http1 = http.createServer((_req, res) => res.end("ok"));
  broker.attachWebSocket(http1);
  await new Promise<void>((r) => http1.listen(0, "127.0.0.1", r));
  wsUrl = `ws://127.0.0.1:${(http1.address() as AddressInfo).port}/mqtt`;
});
afterEach(closeAll);
afterAll(async () => {
  await broker?.stop();
  http1?.closeAllConnections();
  await new Promise((r) => http1?.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("broker on its own thread", () => {
  it("is up before start() resolves, and hands the local client every board message in order", async () => {
    expect(states).toEqual(["up"]);
    const board = await asBoard(port, "b1");
    for (let i = 0; i < 300; i++) board.publish(t.heartbeat("b1"), JSON.stringify({ seq: i }));
    expect(await until(() => inbox.length >= 300, 5000)).toBe(true);
    expect(inbox.map((m) => (JSON.parse(m.payload) as { seq: number }).seq)).toEqual([...Array(300).keys()]);
    expect(inbox.every((m) => m.topic === t.heartbeat("b1") && !m.retained)).toBe(true);
    expect(broker.connectedClients()).toBe(1);
  });

  it("reports how busy its thread was since the last call; a broker on the caller's thread reports nothing", async () => {
    broker.threadUtilization();
    const board = await asBoard(port, "b-load");
    const n = inbox.length;
    for (let i = 0; i < 2000; i++) board.publish(t.heartbeat("b-load"), JSON.stringify({ seq: i, pad: "x".repeat(200) }));
    expect(await until(() => inbox.length >= n + 2000, 10_000)).toBe(true);
    const busy = broker.threadUtilization();
    expect(busy).toBeGreaterThan(0);
    expect(busy).toBeLessThanOrEqual(1);
    const plain = createBroker({ log: pino({ level: "silent" }), topicRoot: ROOT, fleetSecret: SECRET, users });
    expect(plain.threadUtilization()).toBeNull();
    expect(plain.threadLag()).toBeNull();
    expect(plain.threadRuntime()).toBeNull();
  });

  it("reports its thread's event-loop delay of the last window, with counts that only grow", async () => {
    expect(await until(() => broker.threadLag() !== null, 5000)).toBe(true);
    const first = broker.threadLag();
    if (!first) throw new Error("no lag sample");
    expect(first.quantiles.map((q) => q.q)).toEqual([0.5, 0.9, 0.99, 1]);
    for (const q of first.quantiles) expect(q.value).toBeGreaterThanOrEqual(0);
    // The max (q = 1) is at least every quantile; the figures are seconds, not nanoseconds.
    const max = first.quantiles[3]?.value ?? 0;
    expect(first.quantiles.every((q) => q.value <= max)).toBe(true);
    expect(max).toBeLessThan(5);
    expect(await until(() => (broker.threadLag()?.count ?? 0) > first.count, 5000)).toBe(true);
    expect(broker.threadLag()?.sum ?? 0).toBeGreaterThanOrEqual(first.sum);
    // The same window carries the thread's garbage collection and heap (the main thread's
    // nodejs_* figures do not cover this thread).
    const rt = broker.threadRuntime();
    if (!rt) throw new Error("no runtime sample");
    expect(rt.heapUsedBytes).toBeGreaterThan(1_000_000);
    // It has collected since it started: it loaded Aedes and parsed 2,000 heartbeats.
    expect(rt.gc.count).toBeGreaterThan(0);
    expect(rt.gc.sum).toBeGreaterThan(0);
    expect(rt.gc.quantiles.map((q) => q.q)).toEqual([0.5, 0.9, 0.99, 1]);
    expect(rt.gc.quantiles.every((q) => q.value >= 0 && q.value < 5)).toBe(true);
  });

  it("publishes for the local client, retained messages kept by the broker's thread", async () => {
    await local.publish(t.managerStatus(), JSON.stringify({ state: "online" }), { qos: 1, retain: true });
    const viewer = await asUser(port, "vera");
    const got = collect(viewer);
    await viewer.subscribeAsync(t.managerStatus());
    expect(await until(() => got.length === 1)).toBe(true);
    expect(got[0]).toMatchObject({ topic: t.managerStatus(), retain: true, payload: JSON.stringify({ state: "online" }) });
  });

  it("checks users' passwords with this thread's store, and follows its changes", async () => {
    await expect(asUser(port, "vera", { password: "wrong-password" })).rejects.toThrow(/Bad username or password/i);
    expect(logs.some((l) => l.msg === "authentication failed" && l.username === "vera" && l.module === "broker")).toBe(true);
    // A user added on this thread can log in; one removed cannot.
    await users.upsert("nina", "operator", "nina-password-1");
    const nina = await connect(port, { clientId: "nina-1", username: "nina", password: "nina-password-1" });
    expect(nina.connected).toBe(true);
    expect(broker.disconnectUser("nina", false)).toBe(1);
    expect(broker.disconnectUser("nina")).toBe(1);
    expect(await closed(nina)).toBe(true);
    await users.remove("nina");
    await expect(connect(port, { clientId: "nina-2", username: "nina", password: "nina-password-1" })).rejects.toThrow();
  });

  it("refuses a user the client id of a board this thread knows", async () => {
    await expect(asUser(port, "ada", { clientId: "squatted-board" })).rejects.toThrow(/Identifier rejected/i);
    const ok = await asUser(port, "ada", { clientId: "not-a-board" });
    expect(ok.connected).toBe(true);
  });

  it("carries MQTT over WebSocket from this thread's HTTP server, both ways, with backpressure", async () => {
    const viewer = await asUser(wsUrl, "vera");
    const got = collect(viewer);
    await viewer.subscribeAsync(t.filters.allHeartbeats);
    const board = await asBoard(port, "b2");
    const big = "x".repeat(20_000);
    for (let i = 0; i < 200; i++) board.publish(t.heartbeat("b2"), `${i}:${big}`);
    expect(await until(() => got.length === 200, 10_000)).toBe(true);
    expect(got.map((m) => Number(m.payload.split(":")[0]))).toEqual([...Array(200).keys()]);
    const connectedEvents: unknown[] = [];
    broker.events.on("client-connected", (e) => connectedEvents.push(e));
    const ws2 = await asUser(wsUrl, "ada", { clientId: "ws-ada" });
    expect(await until(() => connectedEvents.length === 1)).toBe(true);
    expect(connectedEvents[0]).toMatchObject({ clientId: "ws-ada", username: "ada", role: "admin" });
    ws2.end(true);
  });

  it("refuses an oversized packet over WebSocket and reports it", async () => {
    const sizes: unknown[] = [];
    broker.events.on("packet-too-large", (e) => sizes.push(e));
    const viewer = await asUser(wsUrl, "ada");
    viewer.publish(t.managerStatus(), Buffer.alloc(300 * 1024));
    expect(await closed(viewer, 5000)).toBe(true);
    expect(await until(() => sizes.length >= 1)).toBe(true);
  });

  it("restarts: the local client goes down and up, and its subscriptions are back", async () => {
    await local.publish(t.managerStatus(), "before", { qos: 0, retain: true });
    await broker.stop();
    expect(states.at(-1)).toBe("down");
    expect(broker.connectedClients()).toBe(0);
    await expect(local.publish(t.managerStatus(), "x", { qos: 0, retain: false })).rejects.toMatchObject({ code: "BROKER_E_NOT_RUNNING" });
    port = (await broker.start({ mqttPort: 0, bind: "127.0.0.1" })).mqttPort;
    expect(states.at(-1)).toBe("up");
    const n = inbox.length;
    const board = await asBoard(port, "b3");
    await board.publishAsync(t.heartbeat("b3"), "{}");
    expect(await until(() => inbox.length > n)).toBe(true);
    expect(inbox.at(-1)).toMatchObject({ topic: t.heartbeat("b3") });
    // The new broker keeps retained messages in memory only: the status is gone until published again.
    const viewer = await asUser(port, "vera");
    const got = collect(viewer);
    await viewer.subscribeAsync(t.managerStatus());
    await viewer.subscribeAsync(t.heartbeat("b3"));
    await board.publishAsync(t.heartbeat("b3"), "{}");
    expect(await until(() => got.length > 0)).toBe(true);
    expect(got.map((m) => m.topic)).toEqual([t.heartbeat("b3")]);
  });

  it("a closed local client gets nothing more and refuses to publish", async () => {
    const extra: string[] = [];
    const c = broker.localClient({ message: (topic) => extra.push(topic), error: () => undefined });
    await c.subscribe([t.filters.allHeartbeats]);
    const board = await asBoard(port, "b4");
    await board.publishAsync(t.heartbeat("b4"), "{}");
    expect(await until(() => extra.length === 1)).toBe(true);
    await c.close();
    await board.publishAsync(t.heartbeat("b4"), "{}");
    // The local client of the first test gets this one: when it has, a closed one would have too.
    const n = inbox.length;
    await board.publishAsync(t.heartbeat("b4"), "{}");
    expect(await until(() => inbox.length > n)).toBe(true);
    expect(extra).toHaveLength(1);
    await expect(c.publish(t.managerStatus(), "x", { qos: 0, retain: false })).rejects.toMatchObject({ code: "BROKER_E_NOT_RUNNING" });
  });

  it("refuses a second start, and a board with a wrong token", async () => {
    await expect(broker.start({ mqttPort: 0, bind: "127.0.0.1" })).rejects.toMatchObject({ code: "BROKER_E_ALREADY_STARTED" });
    const probe = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, clientId: "b5", username: "b5", password: "wrong" }).catch((e: unknown) => e);
    expect(probe).toBeInstanceOf(Error);
  });
});

describe("broker thread that dies", () => {
  it("is started again on the same port: boards reconnect, the local client goes down and up, the restart is counted", async () => {
    const dir2 = await mkdtemp(join(tmpdir(), "bbb-thread-crash-"));
    const log = pino({ level: "silent" });
    const store = createUserStore({ file: join(dir2, "users.json"), log });
    await store.load();
    const b = createThreadedBroker({
      log,
      topicRoot: ROOT,
      fleetSecret: SECRET,
      users: store,
      workerFile: new URL("./fixtures/crashing-broker-worker.mjs", import.meta.url),
    });
    const seen: string[] = [];
    const states2: string[] = [];
    const lc = b.localClient({ message: (topic) => seen.push(topic), error: () => undefined, up: () => states2.push("up"), down: () => states2.push("down") });
    await lc.subscribe([t.filters.allHeartbeats]);
    let restarts = 0;
    b.events.on("restarted", () => restarts++);
    try {
      const p = (await b.start({ mqttPort: 0, bind: "127.0.0.1" })).mqttPort;
      const board = await asBoard(p, "b9", { reconnectPeriod: 200 });
      await board.publishAsync(t.heartbeat("b9"), "{}");
      expect(await until(() => seen.length === 1)).toBe(true);
      await store.upsert("crash-now", "viewer", "crash-now-password");
      expect(await until(() => states2.includes("down"), 5000)).toBe(true);
      expect(await until(() => restarts === 1 && states2.at(-1) === "up", 10_000)).toBe(true);
      expect(states2).toEqual(["up", "down", "up"]);
      // The board's own reconnect (same port) and its beats reach the manager's client again.
      expect(await until(() => board.connected, 10_000)).toBe(true);
      await board.publishAsync(t.heartbeat("b9"), "{}");
      expect(await until(() => seen.length === 2)).toBe(true);
      expect(b.connectedClients()).toBe(1);
    } finally {
      await b.stop();
      await rm(dir2, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("broker thread's log lines", () => {
  it("reach the owner's destination with its bindings, redacted as the owner's logger redacts", async () => {
    const dir3 = await mkdtemp(join(tmpdir(), "bbb-thread-log-"));
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info", base: { app: "owner" } }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) }).child({ role: "all-in-one" });
    const store = createUserStore({ file: join(dir3, "users.json"), log: pino({ level: "silent" }) });
    await store.load();
    await store.upsert("vera", "viewer", PASSWORDS.vera);
    const b = createThreadedBroker({ log, logRedact: ["username"], topicRoot: ROOT, fleetSecret: SECRET, users: store });
    try {
      const p = (await b.start({ mqttPort: 0, bind: "127.0.0.1" })).mqttPort;
      await expect(asUser(p, "vera", { password: "wrong-password" })).rejects.toThrow(/Bad username or password/i);
      expect(await until(() => lines.some((l) => l.msg === "authentication failed"))).toBe(true);
      const line = lines.find((l) => l.msg === "authentication failed")!;
      expect(line).toMatchObject({ app: "owner", role: "all-in-one", module: "broker", username: "[redacted]", level: 40 });
    } finally {
      await b.stop();
      await rm(dir3, { recursive: true, force: true });
    }
  });
});
