import type { PendingRow } from "./accumulator.js";
import type { PointRow, Tier } from "./metric-db.js";

/**
 * Messages between the manager's main thread and the health writer thread (docs/protocol.md
 * §"Health history"). Points cross as one Float64Array per batch (a copy is a memcpy, no
 * per-object cloning) and the batch's board ids as one newline-joined string.
 */

/** Numbers per packed point: tier (0 one-minute, 1 quarter-hour), minute, six scaled values (NaN: none). */
const STRIDE = 8;

/** A closed point waiting for the writer: its tier and its row. */
export interface QueuedPoint {
  tier: Tier;
  row: PendingRow;
}

export type ToWriter =
  | { kind: "write"; seq: number; ids: string; data: Float64Array }
  | { kind: "prune"; seq: number; nowMin: number; maxBytes: number }
  | { kind: "close" };

export type FromWriter =
  | { kind: "ready" }
  | { kind: "written"; seq: number; rows: number; ms: number }
  | { kind: "pruned"; seq: number; ms: number }
  | { kind: "failed"; seq: number; op: "write" | "prune"; message: string; code: string | null }
  | { kind: "warn"; message: string; used: number; max: number }
  | { kind: "closed" };

/** The write message of a batch (the points stay on the main thread until acknowledged). */
export function packBatch(seq: number, points: readonly QueuedPoint[]): Extract<ToWriter, { kind: "write" }> {
  const data = new Float64Array(points.length * STRIDE);
  const ids: string[] = [];
  points.forEach((p, i) => {
    ids.push(p.row[0]);
    const o = i * STRIDE;
    data[o] = p.tier === "m1" ? 0 : 1;
    data[o + 1] = p.row[1];
    for (let k = 2; k < STRIDE; k++) data[o + k] = (p.row[k] as number | null | undefined) ?? NaN;
  });
  return { kind: "write", seq, ids: ids.join("\n"), data };
}

/** The points of a write message, per tier, with the board ids still to be mapped to indexes. */
export function unpackBatch(
  msg: Extract<ToWriter, { kind: "write" }>,
  boardIndex: (id: string) => number,
): Record<Tier, PointRow[]> {
  const out: Record<Tier, PointRow[]> = { m1: [], m15: [] };
  if (msg.data.length === 0) return out;
  const ids = msg.ids.split("\n");
  for (let i = 0; i < ids.length; i++) {
    const o = i * STRIDE;
    const row: PointRow = [boardIndex(ids[i] ?? ""), msg.data[o + 1] ?? 0];
    for (let k = 2; k < STRIDE; k++) {
      const v = msg.data[o + k] ?? NaN;
      row.push(Number.isNaN(v) ? null : v);
    }
    out[msg.data[o] === 0 ? "m1" : "m15"].push(row);
  }
  return out;
}
