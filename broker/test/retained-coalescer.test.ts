import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { haveRedis } from "../../manager/test/redis-process.js";
import { coalesceRetainedWrites, type CoalescedPersistence } from "../src/retained-coalescer.js";
import { until } from "./helpers.js";
import { useRedisStores } from "./redis-stores.js";

const packet = (topic: string, payload: string) => ({ cmd: "publish", topic, payload: Buffer.from(payload), qos: 0, retain: true, dup: false, brokerId: "r", brokerCounter: 1 });

async function read(p: CoalescedPersistence, patterns: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const m of p.createRetainedStreamCombi(patterns) as AsyncIterable<{ topic: string; payload: Buffer }>) out[m.topic] = Buffer.from(m.payload).toString();
  return out;
}

describe.skipIf(!haveRedis)("retained writes coalesced into Redis (real redis-server)", () => {
  const stores = useRedisStores();
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
  afterEach(() => {
    logs.length = 0;
  });

  async function replica(flushMs: number, coalesce: (topic: string) => boolean = () => true) {
    const { db, persistence } = await stores.open<CoalescedPersistence>();
    const writes = coalesceRetainedWrites(persistence, { db, log, flushMs, coalesce });
    return { persistence, writes };
  }

  it("writes thousands of retained messages in a few commands", async () => {
    const { persistence, writes } = await replica(50);
    await stores.admin.config("RESETSTAT");
    for (let i = 0; i < 2500; i++) await persistence.storeRetained(packet(`bbb/b${i}/heartbeat`, `{"seq":${i}}`));
    expect(await until(() => writes.pending() === 0)).toBe(true);
    expect(await stores.admin.hlen("retained")).toBe(2500);
    const stats = (await stores.admin.info("commandstats")).split("\n").find((l) => l.startsWith("cmdstat_hset:")) ?? "";
    expect(Number(/calls=(\d+)/.exec(stats)?.[1])).toBeLessThanOrEqual(3);
  });

  it("keeps only the newest unwritten message of a topic, and a clearing one deletes the topic", async () => {
    const { persistence, writes } = await replica(60_000);
    await stores.admin.hset("retained", "bbb/b2/status", "old");
    await persistence.storeRetained(packet("bbb/b1/heartbeat", "1"));
    await persistence.storeRetained(packet("bbb/b1/heartbeat", "2"));
    await persistence.storeRetained(packet("bbb/b2/status", ""));
    expect(writes.pending()).toBe(2);
    await writes.flush();
    expect(await stores.admin.hkeys("retained")).toEqual(["bbb/b1/heartbeat"]);
    const other = await replica(60_000);
    expect(await read(other.persistence, ["bbb/#"])).toEqual({ "bbb/b1/heartbeat": "2" });
  });

  it("lets this replica read its unwritten messages over what Redis holds", async () => {
    const { persistence: writer, writes: written } = await replica(60_000);
    await writer.storeRetained(packet("bbb/b1/status", "online"));
    await writer.storeRetained(packet("bbb/b2/status", "online"));
    await writer.storeRetained(packet("bbb/b3/heartbeat", "hb"));
    await written.flush();
    const { persistence, writes } = await replica(60_000);
    await persistence.storeRetained(packet("bbb/b1/status", "lost"));
    await persistence.storeRetained(packet("bbb/b2/status", ""));
    await persistence.storeRetained(packet("bbb/b4/status", "online"));
    expect(await read(persistence, ["bbb/+/status"])).toEqual({ "bbb/b1/status": "lost", "bbb/b4/status": "online" });
    expect(await read(persistence, ["bbb/b1/status", "bbb/b3/heartbeat"])).toEqual({ "bbb/b1/status": "lost", "bbb/b3/heartbeat": "hb" });
    // Until written, the other replicas still see Redis's copy.
    expect(await read(writer, ["bbb/+/status"])).toEqual({ "bbb/b1/status": "online", "bbb/b2/status": "online" });
    await writes.flush();
    expect(await read(writer, ["bbb/+/status"])).toEqual({ "bbb/b1/status": "lost", "bbb/b4/status": "online" });
  });

  it("writes the other topics at once and in order, over an unwritten coalesced message of the same topic", async () => {
    const heartbeats = (t: string) => t.endsWith("/heartbeat");
    const { persistence, writes } = await replica(60_000, heartbeats);
    await persistence.storeRetained(packet("bbb/b1/heartbeat", "beat"));
    await persistence.storeRetained(packet("bbb/b1/status", "online"));
    expect(await stores.admin.hkeys("retained")).toEqual(["bbb/b1/status"]);
    expect(writes.pending()).toBe(1);
    // A topic the predicate does not coalesce drops its own unwritten copy: the newest wins.
    const { persistence: mixed, writes: mixedWrites } = await replica(60_000, (t) => t === "x/y" && mixedWrites.pending() === 0);
    await mixed.storeRetained(packet("x/y", "first"));
    await mixed.storeRetained(packet("x/y", "second"));
    await mixedWrites.flush();
    expect((await stores.admin.hgetBuffer("retained", "x/y"))?.includes(Buffer.from("second"))).toBe(true);
    expect(await read(mixed, ["x/y"])).toEqual({ "x/y": "second" });
  });

  it("keeps a batch Redis refused and writes it on a later flush", async () => {
    const { persistence, writes } = await replica(60_000);
    await stores.admin.set("retained", "not a hash");
    await persistence.storeRetained(packet("bbb/b1/heartbeat", "1"));
    await writes.flush();
    expect(writes.pending()).toBe(1);
    expect(logs.some((l) => l.msg === "writing retained messages to redis failed; retried")).toBe(true);
    await persistence.storeRetained(packet("bbb/b2/heartbeat", "2"));
    await stores.admin.del("retained");
    await writes.flush();
    expect(writes.pending()).toBe(0);
    expect((await stores.admin.hkeys("retained")).sort()).toEqual(["bbb/b1/heartbeat", "bbb/b2/heartbeat"]);
  });

  it("writes every unwritten message when the store is destroyed", async () => {
    const { persistence } = await replica(60_000);
    for (let i = 0; i < 10; i++) await persistence.storeRetained(packet(`bbb/b${i}/status`, "online"));
    expect(await stores.admin.hlen("retained")).toBe(0);
    await persistence.destroy();
    expect(await stores.admin.hlen("retained")).toBe(10);
  });
});
