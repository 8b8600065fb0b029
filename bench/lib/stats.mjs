/** Small statistics helpers for the benchmark results (pure functions). */

/** Percentile by nearest rank of an unsorted numeric array; null when empty. */
export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** p50 / p99 / max / count of a sample, rounded for the report. */
export function summarize(values, digits = 2) {
  if (values.length === 0) return { n: 0, p50: null, p99: null, max: null };
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { n: sorted.length, p50: round(at(50), digits), p99: round(at(99), digits), max: round(sorted[sorted.length - 1], digits) };
}

export function median(values) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x));
  if (v.length === 0) return null;
  v.sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function round(x, digits = 2) {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Median of each numeric field over several runs of the same configuration (non-numeric
 * fields are taken from the first run). Nested objects are handled field by field.
 */
export function medianOfRuns(runs) {
  if (runs.length === 0) return {};
  const out = {};
  for (const key of Object.keys(runs[0])) {
    const vals = runs.map((r) => r[key]);
    if (vals.every((v) => typeof v === "number" || v === null)) out[key] = median(vals);
    else if (vals.every((v) => v && typeof v === "object" && !Array.isArray(v))) out[key] = medianOfRuns(vals);
    else out[key] = vals[0];
  }
  return out;
}
