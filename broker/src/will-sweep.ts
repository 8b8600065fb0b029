import { createRequire } from "node:module";
import type { Redis } from "ioredis";

const require = createRequire(import.meta.url);
const msgpack = require("msgpack-lite") as { decode(b: Buffer): unknown };

/** aedes-persistence-redis's list of will keys, each `will:<broker id>:<encoded client id>`. */
const WILLS_KEY = "will";
/** Keys read per LRANGE, so that one command never holds Redis for long. */
const CHUNK = 10_000;

export interface WillStore {
  streamWill(brokers?: Record<string, number>): AsyncIterable<unknown>;
}

/**
 * Aedes looks for the wills of dead brokers every 4 beats (20 s) by streaming every will and
 * dropping those of the live brokers. aedes-persistence-redis reads each will's value (a GET per
 * connected board, on every replica, every sweep: 1,000 GETs/s for two replicas at 10,000 boards)
 * before looking at its key, which names the broker, and lists only the first 10,001 wills, so a
 * dead replica's boards beyond them waited for later sweeps. Here the keys are filtered first and
 * read to the end of the list: only a dead broker's wills cost a GET, all of them in one sweep.
 * A key whose value is gone leaves the list, as in the store itself. `alive` adds the brokers the
 * cluster's routing hears: a replica that joined a moment ago has not sent its first $SYS beat,
 * and without it its boards' wills were taken for a dead broker's (and, the boards being
 * connected, dropped for good).
 */
export function sweepOnlyDeadBrokersWills(persistence: WillStore, db: Redis, alive: (brokerId: string) => boolean): void {
  persistence.streamWill = async function* (brokers) {
    // The dead brokers' keys first, all of them: publishing a will removes its key from the list,
    // which would shift a later LRANGE past keys not yet seen.
    const dead: string[] = [];
    for (let start = 0; ; start += CHUNK) {
      const keys = await db.lrange(WILLS_KEY, start, start + CHUNK - 1);
      for (const key of keys) {
        const broker = key.split(":")[1];
        if (broker === undefined || !((brokers && brokers[broker]) || alive(broker))) dead.push(key);
      }
      if (keys.length < CHUNK) break;
    }
    for (const key of dead) {
      const value = await db.getBuffer(key);
      const will = value ? msgpack.decode(value) : undefined;
      if (will) yield will;
      else void db.lrem(WILLS_KEY, 0, key).catch(() => undefined);
    }
  };
}
