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
export function registerProcessMetrics(reg: MetricsRegistry, opts: { dataDir: string; startedAtMs: number }) {
  let loop: IntervalHistogram | null = null;

  reg.counterFn("process_cpu_seconds_total", "User and system CPU time spent by this process.", () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  });
  reg.gauge("process_resident_memory_bytes", "Resident set size.", () => process.memoryUsage.rss());
  reg.gauge("process_start_time_seconds", "Start of the server, Unix time.", () => opts.startedAtMs / 1000);
  reg.gauge("nodejs_heap_used_bytes", "V8 heap in use.", () => process.memoryUsage().heapUsed);
  // Quantiles over the window since the previous scrape (the monitor is reset after each read):
  // a lag spike shows in the next scrape and does not hide in a since-start average.
  reg.gauge(
    "bbb_event_loop_lag_seconds",
    "Event-loop delay since the previous scrape (perf_hooks.monitorEventLoopDelay), by quantile.",
    () => {
      if (!loop || loop.count === 0) return null;
      const out = [0.5, 0.9, 0.99].map((q) => ({
        labels: { quantile: String(q) },
        value: loop ? loop.percentile(q * 100) / 1e9 : 0,
      }));
      out.push({ labels: { quantile: "1" }, value: loop.max / 1e9 });
      loop.reset();
      return out;
    },
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
      loop = monitorEventLoopDelay({ resolution: 20 });
      loop.enable();
    },
    stop(): void {
      loop?.disable();
      loop = null;
    },
  };
}
