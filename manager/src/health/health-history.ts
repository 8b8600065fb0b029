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
import { createHealthWriter, type HealthWriterDeps } from "./health-writer.js";
import { HEALTH_DB_FILE, openHealthReader, type HealthReader, type Tier } from "./metric-db.js";
import { queryMetrics, type MetricsQuery } from "./metric-query.js";
import { M1_KEEP_MIN } from "./point-prune.js";

export { M1_KEEP_MIN, M15_KEEP_MIN } from "./point-prune.js";

export interface HealthHistoryDeps {
  dataDir: string;
  log: Logger;
  now: () => number;
  /** Size bound of the file's used pages; beyond it the oldest points go first. */
  maxBytes: number;
  /** How often closed points are handed to the writer thread (default 5 s). */
  flushMs?: number;
  /** How often retention and the size bound are applied (default 10 min). */
  pruneMs?: number;
  /** The writer thread's spawn, queue limits and timings (production defaults in health-writer.ts). */
  writer?: Omit<HealthWriterDeps, "file" | "log">;
}

/**
 * Per-board health series (docs/protocol.md §"Health history"). A beat only updates the board's
 * running means in memory; the closed minutes and quarter hours go to the health writer thread,
 * which writes, prunes and bounds the file on its own SQLite connection, so the heartbeat path
 * never waits for the disk. Reads go through a read-only connection on this thread, plus the
 * closed points not yet committed and the minute in progress.
 */
export function createHealthHistory(deps: HealthHistoryDeps) {
  const accs = new Map<string, Accumulator>();
  const writer = createHealthWriter({ ...deps.writer, file: join(deps.dataDir, HEALTH_DB_FILE), log: deps.log });
  const scratch = new Float64Array(6);
  let reader: HealthReader | null = null;
  let timers: NodeJS.Timeout[] = [];

  const push = (tier: Tier, row: PendingRow | null) => {
    if (row !== null) writer.enqueue(tier, row);
  };

  /** Closes the board's minute and quarter if they ended (it may have gone silent). */
  function settle(a: Accumulator, minute: number): void {
    if (a.minute < minute) {
      push("m1", closeMinute(a));
      a.minute = minute;
    }
    const quarter = Math.floor(minute / 15);
    if (a.quarter < quarter) {
      push("m15", closeQuarter(a));
      a.quarter = quarter;
    }
  }

  /** Closes what ended, forgets boards silent for an hour, and hands the closed points over. */
  function flush(): void {
    const minute = Math.floor(deps.now() / 60_000);
    for (const a of accs.values()) {
      settle(a, minute);
      if (minute - a.lastSeen > 60) accs.delete(a.id);
    }
    writer.flush();
  }

  const prune = () => writer.prune(Math.floor(deps.now() / 60_000), deps.maxBytes);

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
     * Points of one board: what the file holds, the closed points not yet committed, and the
     * minute in progress, so the answer reaches the last beat.
     */
    query(q: MetricsQuery) {
      const r = reader;
      if (!r) throw new Error("health history not started");
      const minute = Math.floor(deps.now() / 60_000);
      const a = accs.get(q.id);
      if (a) settle(a, minute);
      const live = a ? openMinute(a) : null;
      return queryMetrics(
        { reader: r, unwritten: (tier) => writer.unwritten(q.id, tier) },
        q,
        minute - M1_KEEP_MIN,
        live ? (live.slice(1) as (number | null)[]) : null,
      );
    },
    /** Retention and the size bound now; resolves when done (the timer runs it every `pruneMs`). */
    prune,
    /** Hands every closed point over and resolves once the writer committed them. */
    drain: () => writer.drain(),
    knows: (id: string) => accs.has(id) || reader?.boardIndex(id) !== undefined,
    stats: () => ({ boards: accs.size, ...writer.stats(), fileBytes: reader?.fileBytes() ?? 0 }),
    /** Rejects when the writer thread cannot open the file (the manager does not start without it). */
    async start(): Promise<void> {
      await writer.start();
      reader = openHealthReader(join(deps.dataDir, HEALTH_DB_FILE));
      const t1 = setInterval(flush, deps.flushMs ?? 5_000);
      const t2 = setInterval(() => void prune(), deps.pruneMs ?? 600_000);
      t1.unref();
      t2.unref();
      timers = [t1, t2];
      void prune();
    },
    /** Closes every board's minute and waits until the writer committed everything. */
    async stop(): Promise<void> {
      for (const t of timers) clearInterval(t);
      timers = [];
      if (!reader) return;
      reader.close();
      reader = null;
      for (const a of accs.values()) push("m1", closeMinute(a));
      accs.clear();
      await writer.close();
    },
  };
}
export type HealthHistory = ReturnType<typeof createHealthHistory>;
