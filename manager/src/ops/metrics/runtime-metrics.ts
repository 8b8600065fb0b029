import { readdirSync, readFileSync } from "node:fs";
import { PerformanceObserver, constants, type PerformanceEntry } from "node:perf_hooks";
import type { MetricsRegistry } from "./prometheus.js";

/** Where the process' descriptors are listed and its limits written (Linux procfs). */
export interface ProcPaths {
  fdDir: string;
  limits: string;
}
const PROC: ProcPaths = { fdDir: "/proc/self/fd", limits: "/proc/self/limits" };

const GC_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};

function openFds(dir: string): number | null {
  try {
    return readdirSync(dir).length;
  } catch {
    return null;
  }
}

/** The soft limit of "Max open files" in /proc/self/limits; null when unknown or unlimited. */
export function maxFds(limitsText: string): number | null {
  const line = limitsText.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  return soft && /^\d+$/.test(soft) ? Number(soft) : null;
}

/**
 * Build info, open descriptors against their limit (names of Prometheus' client libraries) and
 * garbage-collection pauses by kind. `start()` observes GC; `stop()` disconnects the observer.
 */
export function registerRuntimeMetrics(reg: MetricsRegistry, opts: { version: string; proc?: ProcPaths }) {
  const proc = opts.proc ?? PROC;
  reg.gauge("bbb_build_info", "Always 1; the labels say which build of the manager and Node.js runs.", () => [
    { labels: { version: opts.version, node: process.version, arch: process.arch }, value: 1 },
  ]);
  reg.gauge("process_open_fds", "Open file descriptors.", () => openFds(proc.fdDir));
  reg.gauge("process_max_fds", "Limit of open file descriptors (soft).", () => {
    try {
      return maxFds(readFileSync(proc.limits, "utf8"));
    } catch {
      return null;
    }
  });
  const gc = reg.histogram("nodejs_gc_duration_seconds", "Garbage-collection pauses, by kind.", GC_BUCKETS);
  let observer: PerformanceObserver | null = null;

  return {
    start(): void {
      if (observer) return;
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
          const kind = GC_KINDS[e.detail?.kind ?? -1] ?? "other";
          gc.observe(e.duration / 1000, { kind });
        }
      });
      observer.observe({ entryTypes: ["gc"] });
    },
    stop(): void {
      observer?.disconnect();
      observer = null;
    },
  };
}
