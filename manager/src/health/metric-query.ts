import { metricFields, type HostsMetricsResult, type MetricField } from "@bbb/shared";
import { METRIC_SCALE } from "./accumulator.js";
import type { HealthReader, Tier } from "./metric-db.js";

export interface MetricsQuery {
  id: string;
  fields: readonly MetricField[];
  from: number;
  to: number;
  step: number;
}

const COLUMNS = ["load", "temp", "mem", "disk", "up", "off"] as const;

/** Where a query's points come from besides the file: closed points not yet acknowledged written. */
export interface PointSources {
  reader: HealthReader;
  /** Closed points of the board not yet acknowledged by the writer: [minute, ...the six values]. */
  unwritten: (tier: Tier) => (number | null)[][];
}

/**
 * Buckets of `step` ms from `from` to `to`, each the mean of the stored points inside it (uptime:
 * the last), null where there are none, so a plot shows a gap instead of a line across it. The
 * one-minute tier answers when it still covers `from` and the step is under 15 min. Points still
 * on their way to the file count too (one per minute: a written copy is not counted twice).
 */
export function queryMetrics(
  src: PointSources,
  q: MetricsQuery,
  m1Since: number,
  /** The minute in progress: [minute, ...scaled values in `metricFields` order]. */
  live: (number | null)[] | null = null,
): HostsMetricsResult {
  const stepMin = Math.max(1, Math.round(q.step / 60_000));
  const start = Math.floor(q.from / q.step) * q.step;
  const count = Math.max(0, Math.ceil((q.to - start) / q.step));
  const t = Array.from({ length: count }, (_, i) => start + i * q.step);
  const idx = q.fields.map((f) => metricFields.indexOf(f));
  const sums = idx.map(() => new Float64Array(count));
  const ns = idx.map(() => new Uint32Array(count));
  const byMinute = new Map<number, (number | null)[]>();
  if (count > 0) {
    const fromMin = Math.floor(start / 60_000);
    const toMin = Math.ceil(q.to / 60_000);
    const tier = fromMin >= m1Since && stepMin < 15 ? "m1" : "m15";
    const b = src.reader.boardIndex(q.id);
    if (b !== undefined) {
      const cols = idx.map((i) => COLUMNS[i] ?? "load");
      for (const r of src.reader.rows(tier, b, cols, fromMin, toMin)) byMinute.set(r[0] ?? 0, r);
    }
    for (const r of src.unwritten(tier)) {
      const m = r[0] ?? 0;
      if (m >= fromMin && m < toMin) byMinute.set(m, [m, ...idx.map((i) => r[i + 1] ?? null)]);
    }
  }
  const rows = [...byMinute.values()];
  if (live) rows.push([live[0] ?? 0, ...idx.map((i) => live[i + 1] ?? null)]);
  for (const r of rows) {
    const k = Math.floor(((r[0] ?? 0) * 60_000 - start) / q.step);
    if (k < 0 || k >= count) continue;
    idx.forEach((fi, j) => {
      const v = r[j + 1];
      if (v === null || v === undefined) return;
      const x = v / (METRIC_SCALE[fi] ?? 1);
      const s = sums[j] as Float64Array;
      const n = ns[j] as Uint32Array;
      if (metricFields[fi] === "uptime") {
        s[k] = x;
        n[k] = 1;
      } else {
        s[k] = (s[k] ?? 0) + x;
        n[k] = (n[k] ?? 0) + 1;
      }
    });
  }
  const series: HostsMetricsResult["series"] = {};
  q.fields.forEach((f, j) => {
    const s = sums[j] as Float64Array;
    const n = ns[j] as Uint32Array;
    series[f] = t.map((_, k) => ((n[k] ?? 0) > 0 ? Math.round(((s[k] ?? 0) / (n[k] ?? 1)) * 100) / 100 : null));
  });
  return { id: q.id, from: q.from, to: q.to, step: q.step, t, series };
}
