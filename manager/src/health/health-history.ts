import { join } from "node:path";
import type { Heartbeat } from "@bbb/shared";
import type { Logger } from "pino";
import {
  addValues,
  beatValues,
  closeMinute,
  closeQuarter,
  newAccumulator,
  openMinute,
  type Accumulator,
  type PendingRow,
} from "./accumulator.js";
import { HEALTH_DB_FILE, openHealthDb, type HealthDb, type PointRow, type Tier } from "./metric-db.js";
import { queryMetrics, type MetricsQuery } from "./metric-query.js";

/** Retention of the two tiers (docs/protocol.md §"Health history"). */
export const M1_KEEP_MIN = 48 * 60;
export const M15_KEEP_MIN = 90 * 24 * 60;
/** Rows per write transaction: one event-loop turn each, so beats go between (BENCHMARKS.md §"Health history"). */
const CHUNK = 200;
/** Boards whose old points one prune transaction deletes (about an hour of minutes each). */
const PRUNE_BOARDS = 25;
/** Points kept in memory while the disk refuses writes; beyond, the oldest are dropped. */
const MAX_PENDING = 500_000;

export interface HealthHistoryDeps {
  dataDir: string;
  log: Logger;
  now: () => number;
  /** Size bound of the file's used pages; beyond it the oldest points go first. */
  maxBytes: number;
  /** How often closed points are written (default 10 s). */
  flushMs?: number;
  /** How often retention and the size bound are applied (default 10 min). */
  pruneMs?: number;
}

/**
 * Per-board health series (docs/protocol.md §"Health history"). A beat only updates the board's
 * running means in memory; closed minutes and quarter hours are written every few seconds in
 * transactions of at most CHUNK rows with an event-loop turn between them, so the heartbeat
 * path never waits for the disk.
 */
export function createHealthHistory(deps: HealthHistoryDeps) {
  const log = deps.log.child({ module: "health-history" });
  const accs = new Map<string, Accumulator>();
  const pending: Record<Tier, PendingRow[]> = { m1: [], m15: [] };
  const scratch = new Float64Array(6);
  let db: HealthDb | null = null;
  let timers: NodeJS.Timeout[] = [];
  let writing = false;
  let dropped = 0;
  let written = 0;

  const push = (tier: Tier, row: PendingRow | null) => {
    if (row === null) return;
    const q = pending[tier];
    q.push(row);
    if (q.length > MAX_PENDING) {
      q.splice(0, q.length - MAX_PENDING);
      dropped++;
    }
  };

  /** Closes the minutes and quarters that ended (boards that went silent included). */
  function sweep(): void {
    const minute = Math.floor(deps.now() / 60_000);
    const quarter = Math.floor(minute / 15);
    for (const a of accs.values()) {
      if (a.minute < minute) {
        push("m1", closeMinute(a));
        a.minute = minute;
      }
      if (a.quarter < quarter) {
        push("m15", closeQuarter(a));
        a.quarter = quarter;
      }
      if (minute - a.lastSeen > 60) accs.delete(a.id);
    }
  }

  const toPoint = (h: HealthDb, r: PendingRow): PointRow => [
    h.boardIndex(r[0]),
    r[1],
    ...(r.slice(2) as (number | null)[]),
  ];

  /** Writes up to CHUNK pending rows; true when more remain. */
  function writeChunk(): boolean {
    const h = db;
    if (!h) return false;
    for (const tier of ["m1", "m15"] as const) {
      const q = pending[tier];
      if (q.length === 0) continue;
      const batch = q.slice(0, CHUNK);
      try {
        h.db.transaction(() =>
          h.write(
            tier,
            batch.map((r) => toPoint(h, r)),
          ),
        )();
        q.splice(0, batch.length);
        written += batch.length;
      } catch (err: unknown) {
        log.error({ err, rows: batch.length }, "health points not written; kept for the next flush");
        return false;
      }
      return pending.m1.length + pending.m15.length > 0;
    }
    return false;
  }

  function flush(): void {
    if (writing) return;
    sweep();
    writing = true;
    const step = () => {
      if (db && writeChunk()) setImmediate(step);
      else writing = false;
    };
    step();
  }

  /** Retention, then the size bound, in chunks. */
  let pruning: Promise<void> | null = null;

  /** Deletes `tier` points before `before`, board by board along the primary key, one turn per PRUNE_BOARDS boards. */
  async function cut(h: HealthDb, tier: Tier, before: number): Promise<void> {
    const st = h.db.prepare(`DELETE FROM ${tier} WHERE b = ? AND t < ?`);
    const boards = h.indexes();
    for (let i = 0; i < boards.length && db === h;) {
      const end = Math.min(boards.length, i + PRUNE_BOARDS);
      h.db.transaction(() => {
        for (; i < end; i++) st.run(boards[i], before);
      })();
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Retention, then the size bound: oldest first, a day of quarter hours, else an hour of minutes. */
  async function pruneOnce(h: HealthDb): Promise<void> {
    const minute = Math.floor(deps.now() / 60_000);
    await cut(h, "m1", minute - M1_KEEP_MIN);
    await cut(h, "m15", minute - M15_KEEP_MIN);
    while (db === h && h.usedBytes() > deps.maxBytes) {
      const o15 = h.oldestMinute("m15");
      const o1 = h.oldestMinute("m1");
      if (o15 !== null && o15 < minute - 1440) await cut(h, "m15", o15 + 1440);
      else if (o1 !== null) await cut(h, "m1", o1 + 60);
      else {
        log.warn(
          { used: h.usedBytes(), max: deps.maxBytes },
          "health history over its size bound with nothing left to drop",
        );
        return;
      }
    }
  }

  function prune(): Promise<void> {
    const h = db;
    if (!h) return Promise.resolve();
    pruning ??= pruneOnce(h)
      .catch((err: unknown) => log.error({ err }, "health history prune failed"))
      .finally(() => {
        pruning = null;
      });
    return pruning;
  }

  return {
    /** On the heartbeat path: a Map lookup and a few additions. */
    observe(id: string, hb: Heartbeat, receivedAt: number): void {
      const minute = Math.floor(receivedAt / 60_000);
      let a = accs.get(id);
      if (!a) accs.set(id, (a = newAccumulator(id, minute)));
      if (a.minute !== minute) {
        push("m1", closeMinute(a));
        a.minute = minute;
        const quarter = Math.floor(minute / 15);
        if (a.quarter !== quarter) {
          push("m15", closeQuarter(a));
          a.quarter = quarter;
        }
      }
      a.lastSeen = minute;
      addValues(a, beatValues(hb, receivedAt, scratch));
    },
    /**
     * Points of one board: closed minutes are written first, and the minute in progress is
     * added from memory, so the answer reaches the last beat.
     */
    query(q: MetricsQuery) {
      const h = db;
      if (!h) throw new Error("health history not started");
      sweep();
      while (writeChunk());
      const a = accs.get(q.id);
      const live = a ? openMinute(a) : null;
      return queryMetrics(
        h,
        q,
        Math.floor(deps.now() / 60_000) - M1_KEEP_MIN,
        live ? (live.slice(1) as (number | null)[]) : null,
      );
    },
    /** Retention and the size bound now; resolves when done (the timer runs it every `pruneMs`). */
    prune,
    knows: (id: string) => accs.has(id) || db?.knownIndex(id) !== undefined,
    stats: () => ({
      boards: accs.size,
      pending: pending.m1.length + pending.m15.length,
      written,
      dropped,
      fileBytes: db?.fileBytes() ?? 0,
    }),
    start(): void {
      db = openHealthDb(join(deps.dataDir, HEALTH_DB_FILE));
      const t1 = setInterval(flush, deps.flushMs ?? 10_000);
      const t2 = setInterval(() => void prune(), deps.pruneMs ?? 600_000);
      t1.unref();
      t2.unref();
      timers = [t1, t2];
      void prune();
    },
    /** Everything still pending is written before the file closes. */
    stop(): void {
      for (const t of timers) clearInterval(t);
      timers = [];
      if (!db) return;
      for (const a of accs.values()) {
        push("m1", closeMinute(a));
      }
      while (writeChunk());
      db.close();
      db = null;
      accs.clear();
    },
  };
}
export type HealthHistory = ReturnType<typeof createHealthHistory>;
