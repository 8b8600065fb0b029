import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { Redis, type RedisOptions } from "ioredis";
import type pino from "pino";

const require = createRequire(import.meta.url);

/** ioredis options from a redis:// or rediss:// URL (db number in the path). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new Error(`not a redis URL: ${u.protocol}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

interface RedisPersistence {
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown> | Readable;
  createRetainedStream(pattern: string): AsyncIterable<unknown> | Readable;
  outgoingStream(client: unknown): AsyncIterable<unknown> | Readable;
  destroy(): Promise<void>;
}

export interface ClusterParts {
  mq: unknown;
  /** The persistence's connection, shared with the cluster presence. */
  db: Redis;
  persistence: RedisPersistence;
  /** Drops the Redis connections at once (after Aedes closed, or when Redis does not answer). */
  disconnect(): void;
}

/**
 * docs/deployment.md §"Docker Swarm": subscriptions, retained messages and wills shared by several Aedes
 * replicas through Redis. The three connections are ours, so errors are logged rather than
 * thrown, and stop() can end them even when Redis is gone (a QUIT would wait forever).
 * aedes-persistence-redis's main export wraps the store in its callback API, which Aedes 1.x
 * refuses (it requires an async `setup`), so the async store class is used directly.
 */
export function createClusterParts(redisUrl: string, log: pino.Logger): ClusterParts {
  const options = redisOptionsFromUrl(redisUrl);
  const conns = ["persistence", "subscriber", "publisher"].map((role) => {
    const c = new Redis(options);
    c.on("error", (err: Error) => log.error({ role, err: err.message }, "redis connection error"));
    return c;
  });
  const [db, subConn, pubConn] = conns as [Redis, Redis, Redis];
  const mqemitterRedis = require("mqemitter-redis") as (opts: Record<string, unknown>) => { state: EventEmitter };
  const AsyncRedisPersistence = require("aedes-persistence-redis/asyncPersistence.js") as new (
    opts: Record<string, unknown>,
  ) => RedisPersistence;
  const persistence = new AsyncRedisPersistence({ conn: db });
  // The store yields async generators where Aedes 1.2 calls `.pipe()` on the retained stream
  // (handlers/subscribe.js): hand Aedes real Readables, as its memory persistence does.
  const combi = persistence.createRetainedStreamCombi.bind(persistence);
  const outgoing = persistence.outgoingStream.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(combi(patterns));
  persistence.createRetainedStream = (pattern) => Readable.from(combi([pattern]));
  persistence.outgoingStream = (client) => Readable.from(outgoing(client));
  // Same matching as Aedes's default emitter [MQTT-4.7.1-3].
  const mq = mqemitterRedis({ subConn, pubConn, matchEmptyLevels: true });
  // The emitter re-emits its connections' errors on `state`; unheard, that would throw.
  mq.state.on("error", () => undefined);
  return {
    mq,
    db,
    persistence,
    disconnect() {
      for (const c of conns) c.disconnect();
    },
  };
}
