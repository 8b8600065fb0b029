import { createRequire } from "node:module";
import { Readable } from "node:stream";
import type { Redis } from "ioredis";
import type pino from "pino";
import { topicMatches } from "./retained-store.js";

const require = createRequire(import.meta.url);
const msgpack = require("msgpack-lite") as { encode(v: unknown): Buffer };

/** aedes-persistence-redis's hash of retained messages, field = topic, value = msgpack packet. */
const RETAINED_KEY = "retained";
/** Fields per HSET / HDEL, so that one command never holds Redis for long. */
const CHUNK = 1000;

interface Retained {
  topic: string;
  payload: Buffer | string;
}

export interface CoalescedPersistence {
  storeRetained(packet: Retained): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown> | Readable;
  createRetainedStream(pattern: string): AsyncIterable<unknown> | Readable;
  destroy(): Promise<void>;
}

const cleared = (p: Retained) => p.payload.length === 0;

/**
 * docs/architecture.md §"Routing between replicas": a replica writes the retained messages of
 * `coalesce` topics (the heartbeats: frequent, and each replaced a second later) to Redis in one
 * HSET (and one HDEL) per `flushMs` instead of one command per message, and a later message for a
 * topic replaces an unwritten earlier one. Aedes goes on without waiting for Redis (a heartbeat is
 * delivered at once); this replica's own reads see the unwritten messages, the other replicas see
 * them within `flushMs`. Every other retained message (statuses, views) is written at once, in
 * order, as before: a subscriber on any replica gets it once its publisher has its PUBACK. A clean
 * stop writes everything; a killed replica loses at most the last `flushMs` of heartbeats.
 */
export function coalesceRetainedWrites(
  persistence: CoalescedPersistence,
  deps: { db: Redis; log: pino.Logger; flushMs: number; coalesce: (topic: string) => boolean },
): { pending(): number; flush(): Promise<void> } {
  const log = deps.log.child({ module: "retained-writes" });
  let pending = new Map<string, Retained>();
  /** The batch being written: still this replica's truth until Redis confirmed it. */
  let writing = new Map<string, Retained>();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  async function write(batch: Map<string, Retained>): Promise<void> {
    const set: (string | Buffer)[] = [];
    const del: string[] = [];
    for (const [topic, p] of batch) {
      if (cleared(p)) del.push(topic);
      else set.push(topic, msgpack.encode(p));
    }
    const multi = deps.db.pipeline();
    for (let i = 0; i < set.length; i += 2 * CHUNK) multi.hset(RETAINED_KEY, ...set.slice(i, i + 2 * CHUNK));
    for (let i = 0; i < del.length; i += CHUNK) multi.hdel(RETAINED_KEY, ...del.slice(i, i + CHUNK));
    const results = (await multi.exec()) ?? [];
    const failed = results.find(([err]) => err)?.[0];
    if (failed) throw failed;
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    running = running.then(async () => {
      if (pending.size === 0) return;
      writing = pending;
      pending = new Map();
      try {
        await write(writing);
      } catch (err) {
        // Kept for the next flush unless a newer message for the topic came meanwhile.
        for (const [topic, p] of writing) if (!pending.has(topic)) pending.set(topic, p);
        log.warn({ err, topics: writing.size }, "writing retained messages to redis failed; retried");
        schedule();
      } finally {
        writing = new Map();
      }
    });
    return running;
  }

  function schedule(): void {
    timer ??= setTimeout(() => void flush(), deps.flushMs);
  }

  const readCombi = persistence.createRetainedStreamCombi.bind(persistence);
  /** Redis's retained messages with this replica's unwritten ones laid over them. */
  async function* overlaid(patterns: string[]): AsyncGenerator<unknown> {
    const mine = new Map<string, Retained>();
    for (const batch of [writing, pending]) {
      for (const [topic, p] of batch) if (patterns.some((f) => topicMatches(f, topic))) mine.set(topic, p);
    }
    for await (const p of readCombi(patterns) as AsyncIterable<Retained>) {
      if (!mine.has(p.topic)) yield p;
    }
    for (const p of mine.values()) if (!cleared(p)) yield p;
  }

  const destroy = persistence.destroy.bind(persistence);
  const storeNow = persistence.storeRetained.bind(persistence);
  persistence.storeRetained = (packet) => {
    if (!deps.coalesce(packet.topic)) {
      // Sent on the same connection after any batch already sent: Redis keeps the order.
      pending.delete(packet.topic);
      return storeNow(packet);
    }
    pending.set(packet.topic, packet);
    schedule();
    return Promise.resolve();
  };
  persistence.createRetainedStreamCombi = (patterns) => Readable.from(overlaid(patterns));
  persistence.createRetainedStream = (pattern) => Readable.from(overlaid([pattern]));
  persistence.destroy = async () => {
    await flush().catch((err: unknown) => log.error({ err, lost: pending.size }, "retained messages not written at stop"));
    return destroy();
  };
  return { pending: () => pending.size + writing.size, flush };
}
