const BARS = "▁▂▃▄▅▆▇█";

/** A series as at most `width` block characters (buckets averaged), a space where there is no data. */
export function sparkline(values: readonly (number | null)[], width: number): string {
  if (values.length === 0) return "";
  const n = Math.min(width, values.length);
  const cols: (number | null)[] = [];
  for (let c = 0; c < n; c++) {
    const a = Math.floor((c * values.length) / n);
    const b = Math.floor(((c + 1) * values.length) / n);
    let s = 0;
    let k = 0;
    for (let i = a; i < b; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) {
        s += v;
        k++;
      }
    }
    cols.push(k > 0 ? s / k : null);
  }
  const present = cols.filter((v): v is number => v !== null);
  if (present.length === 0) return " ".repeat(n);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  return cols
    .map((v) => (v === null ? " " : BARS[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))]))
    .join("");
}

export function summarise(values: readonly (number | null)[]) {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return { min: null, max: null, mean: null, last: null };
  return {
    min: Math.min(...present),
    max: Math.max(...present),
    mean: present.reduce((a, b) => a + b, 0) / present.length,
    last: present[present.length - 1] ?? null,
  };
}
