import { createRequire } from "node:module";
import { Aedes } from "aedes";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll } from "vitest";
import { startRedis } from "../../manager/test/redis-process.js";
import { redisOptionsFromUrl } from "../src/redis-cluster.js";

const require = createRequire(import.meta.url);
const Persistence = require("aedes-persistence-redis/asyncPersistence.js") as new (opts: Record<string, unknown>) => unknown;

export interface RedisStores {
  /** A plain connection to the test's Redis, flushed after each test. */
  admin: Redis;
  /** aedes-persistence-redis on its own connection, set up by a real Aedes (with `id`, if given). */
  open<P>(id?: string): Promise<{ db: Redis; persistence: P }>;
}

/** A real redis-server for a test file, and stores on it closed after each test. */
export function useRedisStores(): RedisStores {
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  const conns: Redis[] = [];
  const brokers: Aedes[] = [];
  const ctx = {
    admin: undefined as unknown as Redis,
    async open<P>(id?: string) {
      if (!redis) throw new Error("redis not started");
      const db = new Redis(redisOptionsFromUrl(redis.url));
      conns.push(db);
      const persistence = new Persistence({ conn: db });
      // Aedes sets the store up: it subscribes the store's broadcasts through the broker.
      brokers.push(await Aedes.createBroker({ ...(id ? { id } : {}), persistence: persistence as never }));
      return { db, persistence: persistence as P };
    },
  };
  beforeAll(async () => {
    redis = await startRedis();
    ctx.admin = new Redis(redisOptionsFromUrl(redis.url));
  });
  afterEach(async () => {
    for (const b of brokers.splice(0)) await new Promise<void>((res) => b.close(() => res()));
    for (const c of conns.splice(0)) c.disconnect();
    await ctx.admin.flushall();
  });
  afterAll(async () => {
    ctx.admin?.disconnect();
    await redis?.stop();
  });
  return ctx;
}
