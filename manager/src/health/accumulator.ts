import { metricFields, type Heartbeat } from "@bbb/shared";

/** Stored integer = value × scale (metric-db.ts), in the order of `metricFields`. */
export const METRIC_SCALE: readonly number[] = [100, 10, 10, 10, 1, 1];
const N = metricFields.length;
const UPTIME = metricFields.indexOf("uptime");

/** A point waiting to be written: board id, minute since the epoch, scaled values. */
export type PendingRow = [string, number, ...(number | null)[]];

/** The running means of one board: the current minute and the current quarter hour. */
export interface Accumulator {
  id: string;
  minute: number;
  sum: Float64Array;
  n: Uint16Array;
  quarter: number;
  qsum: Float64Array;
  qn: Uint16Array;
  lastSeen: number;
}

export function newAccumulator(id: string, minute: number): Accumulator {
  return {
    id,
    minute,
    sum: new Float64Array(N),
    n: new Uint16Array(N),
    quarter: Math.floor(minute / 15),
    qsum: new Float64Array(N),
    qn: new Uint16Array(N),
    lastSeen: minute,
  };
}

/** The values of one beat, in `metricFields` order (NaN where absent). */
export function beatValues(hb: Heartbeat, receivedAt: number, out: Float64Array): Float64Array {
  out[0] = hb.load1 ?? NaN;
  out[1] = hb.tempC ?? NaN;
  out[2] = hb.memUsedPct ?? NaN;
  out[3] = hb.diskUsedPct ?? NaN;
  out[4] = hb.uptime;
  // The sync daemon's own offset where it reports one; else board clock minus receive time.
  out[5] = hb.clockOffsetMs ?? hb.ts - receivedAt;
  return out;
}

export function addValues(a: Accumulator, v: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const x = v[i] ?? NaN;
    if (Number.isNaN(x)) continue;
    if (i === UPTIME) {
      // Uptime is a counter: the minute keeps its last value, not a mean.
      a.sum[i] = x;
      a.n[i] = 1;
    } else {
      a.sum[i] = (a.sum[i] ?? 0) + x;
      a.n[i] = (a.n[i] ?? 0) + 1;
    }
  }
}

const scaled = (mean: number, i: number) => Math.round(mean * (METRIC_SCALE[i] ?? 1));

/** Closes the minute: its row (null when nothing arrived), folded into the quarter. */
export function closeMinute(a: Accumulator): PendingRow | null {
  let any = false;
  const row: PendingRow = [a.id, a.minute];
  for (let i = 0; i < N; i++) {
    const n = a.n[i] ?? 0;
    if (n === 0) {
      row.push(null);
      continue;
    }
    any = true;
    const mean = (a.sum[i] ?? 0) / n;
    row.push(scaled(mean, i));
    if (i === UPTIME) {
      a.qsum[i] = mean;
      a.qn[i] = 1;
    } else {
      a.qsum[i] = (a.qsum[i] ?? 0) + mean;
      a.qn[i] = (a.qn[i] ?? 0) + 1;
    }
  }
  a.sum.fill(0);
  a.n.fill(0);
  return any ? row : null;
}

/** Closes the quarter hour: its row of means of the minute means, or null. */
export function closeQuarter(a: Accumulator): PendingRow | null {
  let any = false;
  const row: PendingRow = [a.id, a.quarter * 15];
  for (let i = 0; i < N; i++) {
    const n = a.qn[i] ?? 0;
    if (n === 0) row.push(null);
    else {
      any = true;
      row.push(scaled((a.qsum[i] ?? 0) / n, i));
    }
  }
  a.qsum.fill(0);
  a.qn.fill(0);
  return any ? row : null;
}

/** The minute in progress as a row, without closing it (a plot shows the latest values live). */
export function openMinute(a: Accumulator): PendingRow | null {
  let any = false;
  const row: PendingRow = [a.id, a.minute];
  for (let i = 0; i < N; i++) {
    const n = a.n[i] ?? 0;
    if (n > 0) any = true;
    row.push(n > 0 ? scaled((a.sum[i] ?? 0) / n, i) : null);
  }
  return any ? row : null;
}
