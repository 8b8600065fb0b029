import { createLoopLag } from "@bbb/shared/node";
import type { MetricsRegistry } from "./prometheus.js";

/**
 * `bbb_event_loop_lag_seconds`, a summary of the main thread's event-loop delay: quantiles (and
 * max as quantile 1) of the last complete 10-s window, `_sum` and `_count` cumulative since start,
 * as the text format requires of a summary (`@bbb/shared/node` createLoopLag).
 */
export function registerEventLoopMetrics(reg: MetricsRegistry) {
  const lag = createLoopLag();
  reg.summary(
    "bbb_event_loop_lag_seconds",
    "Event-loop delay (perf_hooks.monitorEventLoopDelay): quantiles of the last 10 s (1 = max); sum and count since start.",
    () => lag.sample(),
  );
  return { start: () => lag.start(), stop: () => lag.stop() };
}
