import type { MetricsRegistry } from "./prometheus.js";

/** What the health history reports (createHealthHistory().stats()). */
export interface HealthHistoryStats {
  queued: number;
  inFlight: number;
  written: number;
  dropped: number;
  lagMs: number;
  restarts: number;
  running: boolean;
}

/**
 * The health history's writer thread (docs/deployment.md §"Health and metrics"): points waiting,
 * written and dropped, how far the writer is behind, and its restarts. No series while the
 * history is off.
 */
export function registerHealthHistoryMetrics(reg: MetricsRegistry, stats: () => HealthHistoryStats | null): void {
  const read = <T>(f: (s: HealthHistoryStats) => T): T | null => {
    const s = stats();
    return s ? f(s) : null;
  };
  reg.gauge(
    "bbb_health_history_points_pending",
    "Closed health points not yet committed, queued or handed to the writer thread.",
    () =>
      read((s) => [
        { labels: { where: "queued" }, value: s.queued },
        { labels: { where: "in-flight" }, value: s.inFlight },
      ]),
  );
  reg.counterFn("bbb_health_history_points_written_total", "Health points committed by the writer thread.", () =>
    read((s) => s.written),
  );
  reg.counterFn(
    "bbb_health_history_points_dropped_total",
    "Health points dropped because the writer thread fell too far behind.",
    () => read((s) => s.dropped),
  );
  reg.gauge(
    "bbb_health_history_writer_lag_seconds",
    "Age of the oldest batch handed to the writer thread and not yet committed.",
    () => read((s) => s.lagMs / 1000),
  );
  reg.gauge("bbb_health_history_writer_up", "1 while the health writer thread runs, else 0.", () =>
    read((s) => (s.running ? 1 : 0)),
  );
  reg.counterFn(
    "bbb_health_history_writer_restarts_total",
    "Health writer threads that died and were started again.",
    () => read((s) => s.restarts),
  );
}
