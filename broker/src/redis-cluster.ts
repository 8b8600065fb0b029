import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { Redis, type RedisOptions } from "ioredis";
import type pino from "pino";
import { createTopics } from "@bbb/shared";
import { coalesceRetainedWrites, type CoalescedPersistence } from "./retained-coalescer.js";
import { createRoutedEmitter, type RoutedEmitter } from "./routed-emitter.js";
import { sweepOnlyDeadBrokersWills, type WillStore } from "./will-sweep.js";

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

interface RedisPersistence extends CoalescedPersistence, WillStore {
  outgoingStream(client: unknown): AsyncIterable<unknown> | Readable;
}

/** How long a retained message may wait to be written to Redis with others (retained-coalescer.ts). */
const RETAINED_FLUSH_MS = 100;

export interface ClusterParts {
  /** This replica's id in the cluster (Aedes's broker id). */
  id: string;
  mq: RoutedEmitter;
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
export function createClusterParts(redisUrl: string, log: pino.Logger, opts: { beatMs: number; topicRoot: string }): ClusterParts {
  const options = redisOptionsFromUrl(redisUrl);
  const conns = ["persistence", "subscriber", "publisher"].map((role) => {
    // The publisher sends one PUBLISH per crossing message: pipelined per event-loop turn.
    const c = new Redis({ ...options, enableAutoPipelining: role === "publisher" });
    c.on("error", (err: Error) => log.error({ role, err: err.message }, "redis connection error"));
    return c;
  });
  const [db, subConn, pubConn] = conns as [Redis, Redis, Redis];
  const AsyncRedisPersistence = require("aedes-persistence-redis/asyncPersistence.js") as new (
    opts: Record<string, unknown>,
  ) => RedisPersistence;
  const persistence = new AsyncRedisPersistence({ conn: db });
  // The store yields async generators where Aedes 1.2 calls `.pipe()` on its streams
  // (handlers/subscribe.js): hand Aedes real Readables, as its memory persistence does (the
  // retained ones come from the coalescer).
  const outgoing = persistence.outgoingStream.bind(persistence);
  persistence.outgoingStream = (client) => Readable.from(outgoing(client));
  const heartbeat = createTopics(opts.topicRoot).heartbeat("");
  const suffix = heartbeat.slice(heartbeat.lastIndexOf("/"));
  const root = `${opts.topicRoot}/`;
  coalesceRetainedWrites(persistence, { db, log, flushMs: RETAINED_FLUSH_MS, coalesce: (t) => t.startsWith(root) && t.endsWith(suffix) && t.indexOf("/", root.length) === t.length - suffix.length });
  const id = randomUUID();
  const mq = createRoutedEmitter({ id, sub: subConn, pub: pubConn, log, beatMs: opts.beatMs });
  sweepOnlyDeadBrokersWills(persistence, db, mq.alive);
  return {
    id,
    mq,
    db,
    persistence,
    disconnect() {
      for (const c of conns) c.disconnect();
    },
  };
}
