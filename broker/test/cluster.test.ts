import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { asBoard, asUser, closeAll, collect, sleep, startBroker, until, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");
const REDIS = "/usr/bin/redis-server";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, "127.0.0.1");
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });
}

describe.skipIf(!existsSync(REDIS))("cluster mode over Redis (skipped: Debian's redis-server is not installed)", () => {
  let redis: ChildProcess;
  let a: TestBroker;
  let b: TestBroker;
  beforeAll(async () => {
    const port = await freePort();
    redis = spawn(REDIS, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const end = Date.now() + 5000;
    while (!(await canConnect(port)) && Date.now() < end) await sleep(50);
    const cluster = { redisUrl: `redis://127.0.0.1:${port}`, heartbeatMs: 300 };
    a = await startBroker({ cluster });
    b = await startBroker({ cluster });
  });
  afterEach(closeAll);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    if (redis && redis.exitCode === null) {
      const exited = new Promise((r) => redis.once("exit", r));
      redis.kill("SIGTERM");
      await exited;
    }
  });

  it("delivers across brokers and shares retained messages", async () => {
    const viewer = await asUser(a.port, "vera");
    const got = collect(viewer);
    await viewer.subscribeAsync(t.filters.allHeartbeats);
    await sleep(100);
    const board = await asBoard(b.port, "b1");
    await board.publishAsync(t.heartbeat("b1"), '{"seq":1}', { retain: true, qos: 1 });
    expect(await until(() => got.length === 1)).toBe(true);

    const late = await asUser(a.port, "otto");
    const lateGot = collect(late);
    await late.subscribeAsync(t.heartbeat("b1"));
    expect(await until(() => lateGot.length === 1)).toBe(true);
    expect(lateGot[0]).toMatchObject({ payload: '{"seq":1}', retain: true });
  });

  it("publishes a board's will on the other broker when its connection dies", async () => {
    const viewer = await asUser(a.port, "vera");
    const got = collect(viewer);
    await viewer.subscribeAsync(t.status("b2"), { qos: 1 });
    await sleep(100);
    const board = await asBoard(b.port, "b2", { will: { topic: t.status("b2"), payload: Buffer.from('{"state":"lost"}'), qos: 1, retain: true } });
    (board.stream as net.Socket).destroy();
    expect(await until(() => got.some((m) => m.payload === '{"state":"lost"}'))).toBe(true);
  });

  it("lets a board take its id over from the other replica, without its stale will; refuses a user with that id", async () => {
    // Wait until broker B has heard broker A's $SYS heartbeat (both ids seen).
    const admin = await asUser(b.port, "ada");
    const beats = collect(admin);
    await admin.subscribeAsync("$SYS/+/heartbeat");
    expect(await until(() => new Set(beats.map((m) => m.topic)).size >= 2)).toBe(true);

    const viewer = await asUser(a.port, "vera");
    const got = collect(viewer);
    await viewer.subscribeAsync(t.status("b3"), { qos: 1 });
    const will = { topic: t.status("b3"), payload: Buffer.from('{"state":"lost"}'), qos: 1 as const, retain: true };
    const board = await asBoard(a.port, "b3", { will });
    // A user never gets a board's id, on any replica.
    await expect(asUser(b.port, "vera", { clientId: "b3" })).rejects.toThrow(/Identifier rejected/i);
    await sleep(200);
    expect(board.connected).toBe(true);
    // The board itself takes its id over on the other replica (MQTT-3.1.4-2, as on one broker:
    // its old replica may be dead and not yet known dead); the old connection is closed, and its
    // will, stale, is not published.
    const closed = new Promise<void>((res) => board.once("close", () => res()));
    const moved = await asBoard(b.port, "b3", { will });
    await closed;
    await sleep(300);
    expect(moved.connected).toBe(true);
    expect(got.filter((m) => m.payload === '{"state":"lost"}')).toEqual([]);
  });
});
