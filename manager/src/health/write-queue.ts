import type { PendingRow } from "./accumulator.js";
import type { Tier } from "./metric-db.js";
import type { QueuedPoint } from "./writer-protocol.js";

export interface WriteQueueLimits {
  /** Points held on the main thread, queued and unacknowledged together; beyond, the oldest queued go. */
  maxPoints: number;
  /** Points per batch (one transaction in the writer thread). */
  batchPoints: number;
  /** Points handed over and not yet acknowledged; beyond, nothing more is handed over (back-pressure). */
  maxInFlight: number;
}

interface Batch {
  points: QueuedPoint[];
  /** Whether the writer thread has it (false: to hand over again, after a failed write or a restart). */
  posted: boolean;
  postedAt: number;
}

/**
 * The closed points between the heartbeat path and the writer thread (docs/protocol.md §"Health
 * history"). A batch stays here until the writer acknowledges its commit, so a failed write or a
 * dead writer loses nothing: the batch is handed over again (writes are idempotent: INSERT OR
 * REPLACE on (board, minute)). Bounded: beyond `maxPoints` the oldest queued points are dropped
 * and counted.
 */
export function createWriteQueue(limits: WriteQueueLimits) {
  let queued: QueuedPoint[] = [];
  const inFlight = new Map<number, Batch>();
  let inFlightPoints = 0;
  let seq = 0;
  let dropped = 0;

  const held = () => queued.length + inFlightPoints;

  return {
    /** Adds a closed point; returns how many old points were dropped to stay in bounds. */
    push(tier: Tier, row: PendingRow): number {
      queued.push({ tier, row });
      const over = Math.min(queued.length, held() - limits.maxPoints);
      if (over <= 0) return 0;
      queued = queued.slice(over);
      dropped += over;
      return over;
    },
    /**
     * Batches to hand over now, oldest first: those to hand over again, then new ones while the
     * writer holds less than `maxInFlight` (`all`: regardless, for a clean stop).
     */
    take(at: number, all = false): { seq: number; points: QueuedPoint[] }[] {
      const out: { seq: number; points: QueuedPoint[] }[] = [];
      for (const [s, b] of inFlight) {
        if (b.posted) continue;
        b.posted = true;
        b.postedAt = at;
        out.push({ seq: s, points: b.points });
      }
      while (queued.length > 0 && (all || inFlightPoints < limits.maxInFlight)) {
        const points = queued.slice(0, limits.batchPoints);
        queued = queued.slice(points.length);
        const s = ++seq;
        inFlight.set(s, { points, posted: true, postedAt: at });
        inFlightPoints += points.length;
        out.push({ seq: s, points });
      }
      return out;
    },
    /** The writer committed batch `s`: its points leave memory. */
    ack(s: number): number {
      const b = inFlight.get(s);
      if (!b) return 0;
      inFlight.delete(s);
      inFlightPoints -= b.points.length;
      return b.points.length;
    },
    /** Batch `s` (or every batch, when the writer died) is to be handed over again. */
    repost(s?: number): void {
      for (const [k, b] of inFlight) if (s === undefined || k === s) b.posted = false;
    },
    /** Closed points of one board not yet acknowledged: [minute, ...the six values]. */
    unwritten(id: string, tier: Tier): (number | null)[][] {
      const out: (number | null)[][] = [];
      const add = (p: QueuedPoint) => {
        if (p.tier === tier && p.row[0] === id) out.push(p.row.slice(1) as (number | null)[]);
      };
      for (const b of inFlight.values()) b.points.forEach(add);
      queued.forEach(add);
      return out;
    },
    /** When the oldest unacknowledged batch was handed over (null: none). */
    oldestPostedAt(): number | null {
      let min: number | null = null;
      for (const b of inFlight.values()) if (b.posted && (min === null || b.postedAt < min)) min = b.postedAt;
      return min;
    },
    stats: () => ({ queued: queued.length, inFlight: inFlightPoints, dropped }),
  };
}
export type WriteQueue = ReturnType<typeof createWriteQueue>;
