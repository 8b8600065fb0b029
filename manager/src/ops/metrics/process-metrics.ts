import { statSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE } from "../../store/create-store.js";
import { registerEventLoopMetrics } from "./event-loop-metrics.js";
import type { MetricsRegistry } from "./prometheus.js";
import { registerRuntimeMetrics } from "./runtime-metrics.js";

const fileSize = (path: string): number | null => {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
};

/**
 * Process-level metrics: CPU and memory under the names Prometheus' own client libraries use,
 * the event-loop delay (event-loop-metrics.ts), build info, descriptors and GC
 * (runtime-metrics.ts), and the SQLite files' sizes. `start()` starts the monitors; `stop()` stops them.
 */
export function registerProcessMetrics(
  reg: MetricsRegistry,
  opts: { dataDir: string; startedAtMs: number; version: string },
) {
  const loop = registerEventLoopMetrics(reg);
  const runtime = registerRuntimeMetrics(reg, { version: opts.version });

  reg.counterFn("process_cpu_seconds_total", "User and system CPU time spent by this process.", () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  });
  reg.gauge("process_resident_memory_bytes", "Resident set size.", () => process.memoryUsage.rss());
  reg.gauge("process_start_time_seconds", "Start of the server, Unix time.", () => opts.startedAtMs / 1000);
  reg.gauge("nodejs_heap_used_bytes", "V8 heap in use.", () => process.memoryUsage().heapUsed);
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
      loop.start();
      runtime.start();
    },
    stop(): void {
      loop.stop();
      runtime.stop();
    },
  };
}
