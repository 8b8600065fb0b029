/**
 * Prometheus text exposition format 0.0.4, by hand: counters and histograms keep plain numbers
 * (the hot path only adds), gauges are read when scraped. Label values are escaped as the format
 * requires (backslash, double quote, newline); label sets must stay small and bounded.
 */
export type Labels = Readonly<Record<string, string>>;

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function labelText(labels: Labels | undefined, extra?: [string, string]): string {
  const parts = Object.entries(labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

const keyOf = (labels: Labels | undefined) => (labels ? JSON.stringify(labels) : "");

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram" | "summary";
  render(out: string[]): void;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
  /** The series of one label set, resolved once: its `inc` is a plain addition (hot paths). */
  series(labels?: Labels): { inc(by?: number): void };
}
export interface Histogram {
  observe(value: number, labels?: Labels): void;
}
export interface GaugeSample {
  labels?: Labels;
  value: number;
}
/** A summary read at scrape time: quantiles (of a recent window) and cumulative sum and count. */
export interface SummarySample {
  quantiles: readonly { q: number; value: number }[];
  sum: number;
  count: number;
}

export function createMetricsRegistry() {
  const families: Family[] = [];
  const add = (f: Family) => {
    if (families.some((x) => x.name === f.name)) throw new Error(`metric ${f.name} registered twice`);
    families.push(f);
  };

  return {
    counter(name: string, help: string): Counter {
      const values = new Map<string, { labels: Labels | undefined; value: number }>();
      add({
        name,
        help,
        type: "counter",
        render(out) {
          for (const { labels, value } of values.values()) out.push(`${name}${labelText(labels)} ${num(value)}`);
        },
      });
      const entry = (labels: Labels | undefined) => {
        const k = keyOf(labels);
        let e = values.get(k);
        if (!e) values.set(k, (e = { labels, value: 0 }));
        return e;
      };
      return {
        inc(labels, by = 1) {
          entry(labels).value += by;
        },
        get: (labels) => values.get(keyOf(labels))?.value ?? 0,
        series(labels) {
          let e: { value: number } | null = null;
          // Created on first use, so a series nobody touched is not exported as 0.
          return { inc: (by = 1) => void ((e ??= entry(labels)).value += by) };
        },
      };
    },

    /** A gauge whose samples are read at scrape time (no work on the hot path). */
    gauge(name: string, help: string, collect: () => number | readonly GaugeSample[] | null): void {
      add({
        name,
        help,
        type: "gauge",
        render(out) {
          const v = collect();
          if (v === null) return;
          if (typeof v === "number") out.push(`${name} ${num(v)}`);
          else for (const s of v) out.push(`${name}${labelText(s.labels)} ${num(s.value)}`);
        },
      });
    },

    /** A counter read at scrape time from a cumulative source (e.g. process.cpuUsage()). */
    counterFn(name: string, help: string, collect: () => number | null): void {
      add({
        name,
        help,
        type: "counter",
        render(out) {
          const v = collect();
          if (v !== null) out.push(`${name} ${num(v)}`);
        },
      });
    },

    /** A summary whose quantiles, sum and count are read at scrape time. */
    summary(name: string, help: string, collect: () => SummarySample | null): void {
      add({
        name,
        help,
        type: "summary",
        render(out) {
          const v = collect();
          if (v === null) return;
          for (const { q, value } of v.quantiles) out.push(`${name}{quantile="${num(q)}"} ${num(value)}`);
          out.push(`${name}_sum ${num(v.sum)}`, `${name}_count ${num(v.count)}`);
        },
      });
    },

    histogram(name: string, help: string, buckets: readonly number[]): Histogram {
      const bounds = [...buckets].sort((a, b) => a - b);
      const series = new Map<string, { labels: Labels | undefined; counts: number[]; sum: number; count: number }>();
      add({
        name,
        help,
        type: "histogram",
        render(out) {
          for (const s of series.values()) {
            let acc = 0;
            bounds.forEach((b, i) => {
              acc += s.counts[i] ?? 0;
              out.push(`${name}_bucket${labelText(s.labels, ["le", num(b)])} ${acc}`);
            });
            out.push(`${name}_bucket${labelText(s.labels, ["le", "+Inf"])} ${s.count}`);
            out.push(`${name}_sum${labelText(s.labels)} ${num(s.sum)}`);
            out.push(`${name}_count${labelText(s.labels)} ${s.count}`);
          }
        },
      });
      return {
        observe(value, labels) {
          const k = keyOf(labels);
          let s = series.get(k);
          if (!s) series.set(k, (s = { labels, counts: new Array<number>(bounds.length).fill(0), sum: 0, count: 0 }));
          const i = bounds.findIndex((b) => value <= b);
          if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
          s.sum += value;
          s.count++;
        },
      };
    },

    /** The whole exposition, one family after the other with HELP and TYPE lines. */
    render(): string {
      const out: string[] = [];
      for (const f of families) {
        out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
        try {
          f.render(out);
        } catch {
          // A collector that fails (a closed store during shutdown) leaves its family empty.
        }
      }
      return out.join("\n") + "\n";
    },
  };
}
export type MetricsRegistry = ReturnType<typeof createMetricsRegistry>;
