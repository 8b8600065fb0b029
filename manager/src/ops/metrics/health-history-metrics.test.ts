import { describe, expect, it } from "vitest";
import { registerHealthHistoryMetrics, type HealthHistoryStats } from "./health-history-metrics.js";
import { createMetricsRegistry } from "./prometheus.js";

describe("health history metrics", () => {
  it("reports the writer thread's queue, progress and restarts, and nothing while the history is off", () => {
    const reg = createMetricsRegistry();
    let stats: HealthHistoryStats | null = null;
    registerHealthHistoryMetrics(reg, () => stats);
    const samples = () => reg.render().split("\n").filter((l) => l.startsWith("bbb_health_history"));
    expect(samples()).toEqual([]);
    stats = { queued: 12, inFlight: 5000, written: 70_000, dropped: 3, lagMs: 1500, restarts: 1, running: false };
    expect(samples()).toEqual([
      'bbb_health_history_points_pending{where="queued"} 12',
      'bbb_health_history_points_pending{where="in-flight"} 5000',
      "bbb_health_history_points_written_total 70000",
      "bbb_health_history_points_dropped_total 3",
      "bbb_health_history_writer_lag_seconds 1.5",
      "bbb_health_history_writer_up 0",
      "bbb_health_history_writer_restarts_total 1",
    ]);
  });
});
