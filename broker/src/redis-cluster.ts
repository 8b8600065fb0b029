import { createRequire } from "node:module";
import { Readable } from "node:stream";

const require = createRequire(import.meta.url);

/** ioredis options from a redis:// or rediss:// URL (db number in the path). */
export function redisOptionsFromUrl(url: string): Record<string, unknown> {
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
  persistence: { destroy(): Promise<void> };
}

/**
 * DESIGN.md "Scaling out": subscriptions, retained messages and wills shared by several Aedes
 * replicas through Redis. aedes-persistence-redis's main export wraps the store in its
 * callback API, which Aedes 1.x refuses (it requires an async `setup`), so the async store
 * class is used directly.
 */
export function createClusterParts(redisUrl: string): ClusterParts {
  const options = redisOptionsFromUrl(redisUrl);
  const mqemitterRedis = require("mqemitter-redis") as (opts: Record<string, unknown>) => unknown;
  const AsyncRedisPersistence = require("aedes-persistence-redis/asyncPersistence.js") as new (
    opts: Record<string, unknown>,
  ) => RedisPersistence;
  const persistence = new AsyncRedisPersistence({ ...options });
  // The store yields async generators where Aedes 1.2 calls `.pipe()` on the retained stream
  // (handlers/subscribe.js): hand Aedes real Readables, as its memory persistence does.
  const combi = persistence.createRetainedStreamCombi.bind(persistence);
  const outgoing = persistence.outgoingStream.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(combi(patterns));
  persistence.createRetainedStream = (pattern) => Readable.from(combi([pattern]));
  persistence.outgoingStream = (client) => Readable.from(outgoing(client));
  return { mq: mqemitterRedis({ ...options }), persistence };
}
