import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { haveRedis } from "../../manager/test/redis-process.js";
import { sweepOnlyDeadBrokersWills, type WillStore } from "../src/will-sweep.js";
import { useRedisStores } from "./redis-stores.js";

const require = createRequire(import.meta.url);
type Store = WillStore & { putWill(client: { id: string }, packet: Record<string, unknown>): Promise<void> };
const msgpack = require("msgpack-lite") as { encode(v: unknown): Buffer };

const will = (id: string) => ({ topic: `bbb/${id}/status`, payload: Buffer.from('{"state":"lost"}'), qos: 1, retain: true });

async function gets(admin: Redis): Promise<number> {
  const line = (await admin.info("commandstats")).split("\n").find((l) => l.startsWith("cmdstat_get:")) ?? "";
  return Number(/calls=(\d+)/.exec(line)?.[1] ?? 0);
}

describe.skipIf(!haveRedis)("sweeping the wills of dead brokers (real redis-server)", () => {
  const stores = useRedisStores();

  /** A store set up by a real Aedes with this broker id; `swept` adds the filtering. */
  async function store(id: string, swept: boolean): Promise<Store> {
    const { db, persistence } = await stores.open<Store>(id);
    if (swept) sweepOnlyDeadBrokersWills(persistence, db, (broker) => broker === "joined-broker");
    return persistence;
  }

  async function collect(s: Store, live: Record<string, number>): Promise<string[]> {
    const out: string[] = [];
    for await (const w of s.streamWill(live)) out.push((w as { clientId: string }).clientId);
    return out.sort();
  }

  it("reads only the dead brokers' wills, as the store would yield them", async () => {
    const live = await store("live-broker", true);
    const dead = await store("dead-broker", false);
    for (let i = 0; i < 50; i++) await live.putWill({ id: `l${i}` }, will(`l${i}`));
    for (let i = 0; i < 3; i++) await dead.putWill({ id: `d${i}` }, will(`d${i}`));
    // The store as it comes reads all 53 values for its answer; the sweep reads 3.
    await stores.admin.config("RESETSTAT");
    const expected = await collect(dead, { "live-broker": Date.now() });
    expect(expected).toEqual(["d0", "d1", "d2"]);
    expect(await gets(stores.admin)).toBe(53);
    await stores.admin.config("RESETSTAT");
    expect(await collect(live, { "live-broker": Date.now() })).toEqual(expected);
    expect(await gets(stores.admin)).toBe(3);
    // With no broker alive, every will is a dead broker's.
    expect((await collect(live, {})).length).toBe(53);
  });

  it("yields every dead broker's will in one sweep, past the store's first 10,001", async () => {
    const dead = await store("dead-broker", false);
    const live = await store("live-broker", true);
    // The store as it comes lists only the first 10,001 wills in a sweep.
    const keys = Array.from({ length: 10_500 }, (_, i) => `will:dead-broker:b${i}`);
    // Written as the store's putWill writes them, in bulk.
    const pipe = stores.admin.pipeline();
    pipe.rpush("will", ...keys);
    for (const [i, key] of keys.entries()) pipe.set(key, msgpack.encode({ ...will(`b${i}`), clientId: `b${i}`, brokerId: "dead-broker" }));
    await pipe.exec();
    expect((await collect(dead, { "live-broker": Date.now() })).length).toBe(10_001);
    expect((await collect(live, { "live-broker": Date.now() })).length).toBe(10_500);
  });

  it("counts a broker the routing hears as alive before its first $SYS beat", async () => {
    const joined = await store("joined-broker", false);
    const live = await store("live-broker", true);
    await joined.putWill({ id: "j1" }, will("j1"));
    expect(await collect(live, { "live-broker": Date.now() })).toEqual([]);
    expect(await collect(joined, { "live-broker": Date.now() })).toEqual(["j1"]);
  });

  it("drops a listed will whose value is gone", async () => {
    const live = await store("live-broker", true);
    await stores.admin.rpush("will", "will:dead-broker:ghost");
    expect(await collect(live, {})).toEqual([]);
    for (let i = 0; i < 20 && (await stores.admin.llen("will")) > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await stores.admin.lrange("will", 0, -1)).toEqual([]);
  });
});
