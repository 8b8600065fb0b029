import { statSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { DB_FILE } from "../../store/create-store.js";
import type { MetricsRegistry } from "./prometheus.js";

const fileSize = (path: string): number | null => {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
};

/**
 * Process-level metrics: CPU and memory under the names Prometheus' own client libraries use,
 * the event-loop delay (perf_hooks, 20 ms resolution), and the SQLite files' sizes.
 * `start()` enables the event-loop monitor; `stop()` disables it.
 */
const LAG_WINDOW_MS = 10_000;

const quantiles = (h: IntervalHistogram) => [
  ...[0.5, 0.9, 0.99].map((q) => ({ labels: { quantile: String(q) }, value: h.percentile(q * 100) / 1e9 })),
  { labels: { quantile: "1" }, value: h.max / 1e9 },
];

export function registerProcessMetrics(reg: MetricsRegistry, opts: { dataDir: string; startedAtMs: number }) {
  let loop: IntervalHistogram | null = null;
  let last: ReturnType<typeof quantiles> | null = null;
  let rotation: NodeJS.Timeout | null = null;

  reg.counterFn("process_cpu_seconds_total", "User and system CPU time spent by this process.", () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  });
  reg.gauge("process_resident_memory_bytes", "Resident set size.", () => process.memoryUsage.rss());
  reg.gauge("process_start_time_seconds", "Start of the server, Unix time.", () => opts.startedAtMs / 1000);
  reg.gauge("nodejs_heap_used_bytes", "V8 heap in use.", () => process.memoryUsage().heapUsed);
  // Quantiles of the last complete 10-s window (the first window: of what was seen so far): a
  // lag spike shows for a while and does not fade into a since-start average, and scraping more
  // or less often (or by two Prometheus servers) does not change the figures.
  reg.gauge(
    "bbb_event_loop_lag_seconds",
    "Event-loop delay over the last 10 s (perf_hooks.monitorEventLoopDelay), by quantile (1 = max).",
    () => last ?? (loop && loop.count > 0 ? quantiles(loop) : null),
  );
  reg.gauge("bbb_sqlite_bytes", "Size of the SQLite store's files in the data dir.", () => {
    const out = [];
    for (const [file, suffix] of [
      ["db", ""],
      ["wal", "-wal"],
    ] as const) {
      const size = fileSize(join(opts.dataDir, DB_FILE + suffix));
      if (size !== null) out.push({ labels: { file }, value: size });
    }
    return out;
  });

  return {
    start(): void {
      if (loop) return;
      const h = monitorEventLoopDelay({ resolution: 20 });
      h.enable();
      loop = h;
      rotation = setInterval(() => {
        if (h.count > 0) last = quantiles(h);
        h.reset();
      }, LAG_WINDOW_MS);
      rotation.unref();
    },
    stop(): void {
      if (rotation) clearInterval(rotation);
      rotation = null;
      loop?.disable();
      loop = null;
      last = null;
    },
  };
}
