import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { MetricsRegistry, SummarySample } from "./prometheus.js";

const LAG_WINDOW_MS = 10_000;
const QUANTILES = [0.5, 0.9, 0.99];

/**
 * `bbb_event_loop_lag_seconds`, a summary: quantiles (and max as quantile 1) of the last complete
 * 10-s window (the first window: of what was seen so far), so a lag spike shows for a while and
 * does not fade into a since-start average, and scraping more or less often (or by two Prometheus
 * servers) does not change the figures; `_sum` and `_count` are cumulative since start, as the
 * text format requires of a summary. perf_hooks.monitorEventLoopDelay at 20 ms resolution.
 */
export function registerEventLoopMetrics(reg: MetricsRegistry) {
  let loop: IntervalHistogram | null = null;
  let last: SummarySample["quantiles"] | null = null;
  let rotation: NodeJS.Timeout | null = null;
  // Totals of the windows already rotated out (seconds, samples).
  let doneSum = 0;
  let doneCount = 0;

  const quantiles = (h: IntervalHistogram) => [
    ...QUANTILES.map((q) => ({ q, value: h.percentile(q * 100) / 1e9 })),
    { q: 1, value: h.max / 1e9 },
  ];
  const windowSum = (h: IntervalHistogram) => (h.count > 0 ? (h.mean * h.count) / 1e9 : 0);

  reg.summary(
    "bbb_event_loop_lag_seconds",
    "Event-loop delay (perf_hooks.monitorEventLoopDelay): quantiles of the last 10 s (1 = max); sum and count since start.",
    () => {
      if (!loop) return null;
      const q = last ?? (loop.count > 0 ? quantiles(loop) : null);
      if (q === null) return null;
      return { quantiles: q, sum: doneSum + windowSum(loop), count: doneCount + loop.count };
    },
  );

  return {
    start(): void {
      if (loop) return;
      const h = monitorEventLoopDelay({ resolution: 20 });
      h.enable();
      loop = h;
      rotation = setInterval(() => {
        if (h.count > 0) last = quantiles(h);
        doneSum += windowSum(h);
        doneCount += h.count;
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
