import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import type net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { haveRedis, startRedis } from "../../manager/test/redis-process.js";
import { redisOptionsFromUrl } from "../src/redis-cluster.js";
import { SECRET, asBoard, asUser, closeAll, collect, sleep, until, startBroker, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");

describe.skipIf(!haveRedis)("cluster mode over Redis (skipped: Debian's redis-server is not installed)", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let db: Redis;
  let a: TestBroker;
  let b: TestBroker;
  beforeAll(async () => {
    redis = await startRedis();
    db = new Redis(redisOptionsFromUrl(redis.url));
    const cluster = { redisUrl: redis.url, heartbeatMs: 300 };
    a = await startBroker({ cluster });
    b = await startBroker({ cluster });
  });
  afterEach(closeAll);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    db?.disconnect();
    await redis?.stop();
  });

  it("routes without a Redis pattern per client filter: an operator's command on one replica reaches that board on the other, and no other board", async () => {
    const boards = await Promise.all(["r1", "r2", "r3"].map((id) => asBoard(b.port, id)));
    const got = boards.map((c) => collect(c));
    await Promise.all(boards.map((c, i) => c.subscribeAsync(`bbb/r${i + 1}/cmd/#`, { qos: 1 })));
    const operator = await asUser(a.port, "otto");
    // The boards' filters reach replica a through Redis a moment after their SUBACKs.
    for (let i = 0; i < 30 && got[1]!.length === 0; i++) {
      await operator.publishAsync(t.cmd("r2", "ping"), "{}", { qos: 1 });
      await until(() => got[1]!.length > 0, 100);
    }
    expect(got[1]!.length).toBeGreaterThan(0);
    await sleep(200);
    expect(got[0]).toEqual([]);
    expect(got[2]).toEqual([]);
    // Redis holds the replicas' own channels and the control channel, and not one pattern.
    expect(await db.pubsub("NUMPAT")).toBe(0);
    const channels = ((await db.pubsub("CHANNELS", "bbb:mq:*")) as string[]).sort();
    expect(channels).toHaveLength(3);
    expect(channels[0]).toBe("bbb:mq:ctl");
    expect(channels.slice(1).every((c) => /^bbb:mq:r:[0-9a-f-]{36}$/.test(c))).toBe(true);
  });

  it("delivers across brokers and shares retained messages: a status at once, a heartbeat within its batch", async () => {
    const viewer = await asUser(a.port, "vera");
    const got = collect(viewer);
    await viewer.subscribeAsync(t.filters.allHeartbeats);
    await sleep(100);
    const board = await asBoard(b.port, "b1");
    await board.publishAsync(t.heartbeat("b1"), '{"seq":1}', { retain: true, qos: 1 });
    expect(await until(() => got.length === 1)).toBe(true);
    await board.publishAsync(t.status("b1"), '{"state":"online"}', { retain: true, qos: 1 });

    const late = await asUser(a.port, "otto");
    const lateGot = collect(late);
    await late.subscribeAsync(t.status("b1"));
    expect(await until(() => lateGot.length === 1)).toBe(true);
    expect(lateGot[0]).toMatchObject({ payload: '{"state":"online"}', retain: true });
    // Heartbeats reach Redis in batches (100 ms): a subscriber on the other replica gets the
    // newest one once its batch is written.
    for (let i = 0; i < 20 && !lateGot.some((m) => m.payload === '{"seq":1}'); i++) {
      await late.unsubscribeAsync(t.heartbeat("b1"));
      await late.subscribeAsync(t.heartbeat("b1"));
      await until(() => lateGot.some((m) => m.payload === '{"seq":1}'), 100);
    }
    expect(lateGot.filter((m) => m.topic === t.heartbeat("b1"))).toContainEqual(expect.objectContaining({ payload: '{"seq":1}', retain: true }));
  });

  it("publishes a board's will on the other broker when its connection dies", async () => {
    const viewer = await asUser(a.port, "vera");
    const got = collect(viewer);
    await viewer.subscribeAsync(t.status("b2"), { qos: 1 });
    await sleep(100);
    const board = await asBoard(b.port, "b2", { will: { topic: t.status("b2"), payload: Buffer.from('{"state":"lost"}'), qos: 1, retain: true } });
    // Its birth, as an agent sends on every connect: a connection closed before it sent anything
    // is an attempt the board gave up on, not its death (docs/protocol.md §"Liveness").
    await board.publishAsync(t.status("b2"), '{"state":"online"}', { qos: 1, retain: true });
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

  it("publishes the wills of a replica killed with -9 for its boards that did not come back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bbb-replica-"));
    const proc = spawn(process.execPath, [join(import.meta.dirname, "fixtures", "cluster-replica.mjs"), redis.url, SECRET, dir, "300"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        proc.stdout.on("data", (d: Buffer) => {
          const m = /port (\d+)/.exec(d.toString());
          if (m) resolve(Number(m[1]));
        });
        proc.once("exit", (code) => reject(new Error(`replica exited (${code})`)));
      });
      const viewer = await asUser(a.port, "vera");
      const got = collect(viewer);
      await viewer.subscribeAsync(t.status("+"), { qos: 1 });
      const ids = ["k1", "k2", "k3"];
      const boards = [];
      for (const id of ids) {
        boards.push(await asBoard(port, id, { reconnectPeriod: 0, will: { topic: t.status(id), payload: Buffer.from('{"state":"lost"}'), qos: 1, retain: true } }));
      }
      await sleep(500);
      // A replica that has just joined is alive for the others before its first $SYS beat: its
      // boards' wills are not a dead broker's.
      expect(boards.every((b) => b.connected)).toBe(true);
      const ours = () => got.filter((m) => ids.some((id) => m.topic === t.status(id)));
      expect(ours().map((m) => `${m.topic} ${m.payload}`)).toEqual([]);
      proc.kill("SIGKILL");
      // 3 missed beats make it dead, and the others sweep its wills every 4 beats (300 ms here).
      expect(await until(() => ids.every((id) => got.some((m) => m.topic === t.status(id) && m.payload === '{"state":"lost"}')), 10_000)).toBe(true);
      // Published once, by one of the two live replicas' sweeps at most once each.
      await sleep(1500);
      for (const id of ids) expect(got.filter((m) => m.topic === t.status(id)).length).toBeLessThanOrEqual(2);
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
