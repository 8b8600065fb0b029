import { Redis, type RedisOptions } from "ioredis";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { haveRedis, startRedis } from "../../manager/test/redis-process.js";
import type { RoutedPacket } from "../src/cluster-frames.js";
import { redisOptionsFromUrl } from "../src/redis-cluster.js";
import { createRoutedEmitter, type RoutedEmitter } from "../src/routed-emitter.js";
import { sleep, until } from "./helpers.js";

const BEAT_MS = 100;
const packet = (topic: string, payload = "x"): RoutedPacket => ({ cmd: "publish", topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false, brokerId: "origin", brokerCounter: 1 });

interface Replica {
  id: string;
  mq: RoutedEmitter;
  sub: Redis;
  pub: Redis;
  logs: Record<string, unknown>[];
  /** Messages its local listeners got, by filter. */
  got: Map<string, RoutedPacket[]>;
  listen(filter: string): Promise<() => Promise<void>>;
}

describe.skipIf(!haveRedis)("routing between replicas over a real redis-server", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let options: RedisOptions;
  let admin: Redis;
  const replicas: Replica[] = [];
  const observers: Redis[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    options = redisOptionsFromUrl(redis.url);
    admin = new Redis(options);
  });
  afterEach(async () => {
    for (const r of replicas.splice(0)) {
      await new Promise<void>((res) => r.mq.close(res));
      r.sub.disconnect();
      r.pub.disconnect();
    }
    for (const o of observers.splice(0)) o.disconnect();
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  async function replica(id: string, extra: RedisOptions = {}): Promise<Replica> {
    const logs: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
    const sub = new Redis({ ...options, connectionName: `${id}-sub`, ...extra });
    const pub = new Redis({ ...options, connectionName: `${id}-pub`, ...extra });
    const mq = createRoutedEmitter({ id, sub, pub, log, beatMs: BEAT_MS });
    await mq.start();
    const got = new Map<string, RoutedPacket[]>();
    const r: Replica = {
      id,
      mq,
      sub,
      pub,
      logs,
      got,
      listen(filter) {
        const listener = (p: RoutedPacket, done: () => void) => {
          got.set(filter, [...(got.get(filter) ?? []), p]);
          done();
        };
        return new Promise((res) =>
          mq.on(filter, listener, () => res(() => new Promise<void>((done) => mq.removeListener(filter, listener, done)))),
        );
      },
    };
    replicas.push(r);
    return r;
  }

  /** Counts what Redis carries to a replica's own channel. */
  async function observe(id: string): Promise<{ count: () => number }> {
    const o = new Redis(options);
    observers.push(o);
    let n = 0;
    o.on("messageBuffer", () => n++);
    await o.subscribe(`bbb:mq:r:${id}`);
    return { count: () => n };
  }

  const knows = (at: Replica, other: string, filter: string) => (at.mq.stats().replicas[other] ?? []).includes(filter);

  it("sends a message through Redis only to the replicas whose clients hold a matching filter", async () => {
    const a = await replica("a");
    const b = await replica("b");
    const c = await replica("c");
    const toA = await observe("a");
    const toC = await observe("c");
    await a.listen("bbb/+/heartbeat");
    await b.listen("bbb/b1/cmd/#");
    expect(await until(() => knows(b, "a", "bbb/+/heartbeat") && knows(c, "a", "bbb/+/heartbeat") && knows(a, "b", "bbb/b1/cmd/#"))).toBe(true);

    b.mq.emit({ ...packet("bbb/b1/heartbeat", '{"seq":1}'), brokerId: "b", brokerCounter: 42, clientId: "b1" });
    expect(await until(() => (a.got.get("bbb/+/heartbeat") ?? []).length === 1)).toBe(true);
    expect(a.got.get("bbb/+/heartbeat")?.[0]).toMatchObject({ topic: "bbb/b1/heartbeat", brokerId: "b", brokerCounter: 42, clientId: "b1" });
    expect(String(a.got.get("bbb/+/heartbeat")?.[0]?.payload)).toBe('{"seq":1}');

    // A command for b1 goes to b alone; a message nobody else wants does not touch Redis.
    a.mq.emit(packet("bbb/b1/cmd/reboot"));
    c.mq.emit(packet("bbb/other/topic"));
    expect(await until(() => (b.got.get("bbb/b1/cmd/#") ?? []).length === 1)).toBe(true);
    await sleep(100);
    expect(toA.count()).toBe(1);
    expect(toC.count()).toBe(0);
    expect(c.mq.stats().routed).toBe(0);
    // No pattern subscription at all: Redis's cost per message does not grow with the filters.
    expect(await admin.pubsub("NUMPAT")).toBe(0);
  });

  it("delivers on the publishing replica itself without Redis, once per matching listener", async () => {
    const a = await replica("a");
    await a.listen("bbb/+/heartbeat");
    await a.listen("bbb/#");
    const toA = await observe("a");
    a.mq.emit(packet("bbb/b1/heartbeat"));
    expect(await until(() => a.got.get("bbb/#")?.length === 1 && a.got.get("bbb/+/heartbeat")?.length === 1)).toBe(true);
    expect(toA.count()).toBe(0);
  });

  it("stops sending once the last client of a filter leaves it", async () => {
    const a = await replica("a");
    const b = await replica("b");
    const first = await a.listen("bbb/+/status");
    const second = await a.listen("bbb/+/status");
    expect(await until(() => knows(b, "a", "bbb/+/status"))).toBe(true);
    await first();
    await sleep(100);
    expect(knows(b, "a", "bbb/+/status")).toBe(true);
    await second();
    expect(await until(() => !knows(b, "a", "bbb/+/status"))).toBe(true);
    const toA = await observe("a");
    b.mq.emit(packet("bbb/b1/status"));
    await sleep(100);
    expect(toA.count()).toBe(0);
  });

  it("a replica that starts later learns the others' filters, and they learn its own", async () => {
    const a = await replica("a");
    await a.listen("bbb/+/heartbeat");
    const late = await replica("late");
    await late.listen("bbb/late/cmd/#");
    expect(await until(() => knows(late, "a", "bbb/+/heartbeat") && knows(a, "late", "bbb/late/cmd/#"))).toBe(true);
    late.mq.emit(packet("bbb/late/heartbeat"));
    expect(await until(() => a.got.get("bbb/+/heartbeat")?.length === 1)).toBe(true);
  });

  it("forgets a replica that says it stops at once, and a silent one after four beats", async () => {
    const a = await replica("a");
    const b = await replica("b");
    const c = await replica("c");
    expect(await until(() => "b" in a.mq.stats().replicas && "c" in a.mq.stats().replicas)).toBe(true);
    expect(a.mq.alive("c")).toBe(true);
    expect(a.mq.alive("never-joined")).toBe(false);
    await new Promise<void>((res) => b.mq.close(res));
    expect(await until(() => !("b" in a.mq.stats().replicas))).toBe(true);
    // c dies without a word: its connections are cut and its beats stop.
    c.sub.disconnect();
    c.pub.disconnect();
    await new Promise<void>((res) => c.mq.close(res));
    expect(await until(() => !("c" in a.mq.stats().replicas), 20 * BEAT_MS)).toBe(true);
    expect(a.mq.alive("c")).toBe(false);
    expect(a.logs.some((l) => l.msg === "replica silent, dropped from the routing" && l.replica === "c")).toBe(true);
  });

  it("takes the whole filter set again after its Redis connection comes back", async () => {
    // a's connections come back only after 600 ms: what b announces meanwhile never reaches a.
    const a = await replica("a", { retryStrategy: () => 600 });
    const b = await replica("b");
    expect(await until(() => "b" in a.mq.stats().replicas)).toBe(true);
    const list = (await admin.client("LIST")) as string;
    const subId = /id=(\d+) .* name=a-sub /.exec(list.split("\n").find((l) => l.includes(" name=a-sub ")) ?? "")?.[1];
    expect(subId).toBeDefined();
    await admin.client("KILL", "ID", subId as string);
    await b.listen("bbb/b/cmd/#");
    expect(knows(a, "b", "bbb/b/cmd/#")).toBe(false);
    expect(await until(() => knows(a, "b", "bbb/b/cmd/#"), 5000)).toBe(true);
    a.mq.emit(packet("bbb/b/cmd/reboot"));
    expect(await until(() => b.got.get("bbb/b/cmd/#")?.length === 1)).toBe(true);
  });

  it("drops messages for other replicas while Redis is away instead of queueing them without bound, and still delivers locally", async () => {
    const a = await replica("a", { retryStrategy: () => 1000 });
    const b = await replica("b");
    await a.listen("bbb/+/heartbeat");
    await b.listen("bbb/+/heartbeat");
    expect(await until(() => knows(a, "b", "bbb/+/heartbeat"))).toBe(true);
    a.pub.disconnect(true);
    await sleep(50);
    for (let i = 0; i < 5; i++) a.mq.emit(packet("bbb/b1/heartbeat"));
    expect(await until(() => a.got.get("bbb/+/heartbeat")?.length === 5)).toBe(true);
    expect(a.mq.stats().dropped).toBe(5);
    expect(a.logs.filter((l) => l.msg === "redis unavailable: messages for other replicas dropped")).toHaveLength(1);
    expect(await until(() => a.pub.status === "ready", 5000)).toBe(true);
    a.mq.emit(packet("bbb/b1/heartbeat"));
    expect(await until(() => b.got.get("bbb/+/heartbeat")?.length === 1)).toBe(true);
  });

  it("ignores malformed frames and keeps routing", async () => {
    const a = await replica("a");
    const b = await replica("b");
    await a.listen("bbb/+/heartbeat");
    expect(await until(() => knows(b, "a", "bbb/+/heartbeat"))).toBe(true);
    await admin.publish("bbb:mq:r:a", "garbage");
    await admin.publish("bbb:mq:ctl", 'C{"k":"S","from":"x","filters":[7]}');
    await admin.publish("bbb:mq:r:a", Buffer.from([0x4d, 0, 0, 1]));
    b.mq.emit(packet("bbb/b1/heartbeat"));
    expect(await until(() => a.got.get("bbb/+/heartbeat")?.length === 1)).toBe(true);
    expect(a.logs.filter((l) => l.msg === "malformed frame from the cluster ignored").length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(a.mq.stats().replicas)).toEqual(["b"]);
  });
});
