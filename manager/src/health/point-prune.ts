import type { HealthDb, Tier } from "./metric-db.js";

/** Retention of the two tiers in minutes (docs/protocol.md §"Health history"). */
export const M1_KEEP_MIN = 48 * 60;
export const M15_KEEP_MIN = 90 * 24 * 60;
/** Boards whose old points one prune transaction deletes (about an hour of minutes each). */
const PRUNE_BOARDS = 25;

export interface PruneDeps {
  /** False once the file is closing: the pass stops between two steps. */
  open: () => boolean;
  /** Between two steps: the writer thread's waiting batches are written there. */
  yieldTurn: () => Promise<void>;
  /** Over the bound with nothing left to drop. */
  warn: (used: number, max: number) => void;
}

/** Deletes `tier` points before `before`, board by board along the primary key, PRUNE_BOARDS boards per transaction. */
async function cut(h: HealthDb, d: PruneDeps, tier: Tier, before: number): Promise<void> {
  const st = h.db.prepare(`DELETE FROM ${tier} WHERE b = ? AND t < ?`);
  const boards = h.indexes();
  for (let i = 0; i < boards.length && d.open();) {
    const end = Math.min(boards.length, i + PRUNE_BOARDS);
    h.db.transaction(() => {
      for (; i < end; i++) st.run(boards[i], before);
    })();
    await d.yieldTurn();
  }
}

/** Retention, then the size bound: oldest first, a day of quarter hours, else an hour of minutes. */
export async function prunePoints(h: HealthDb, d: PruneDeps, nowMin: number, maxBytes: number): Promise<void> {
  await cut(h, d, "m1", nowMin - M1_KEEP_MIN);
  await cut(h, d, "m15", nowMin - M15_KEEP_MIN);
  while (d.open() && h.usedBytes() > maxBytes) {
    const o15 = h.oldestMinute("m15");
    const o1 = h.oldestMinute("m1");
    if (o15 !== null && o15 < nowMin - 1440) await cut(h, d, "m15", o15 + 1440);
    else if (o1 !== null) await cut(h, d, "m1", o1 + 60);
    else {
      d.warn(h.usedBytes(), maxBytes);
      return;
    }
  }
}
