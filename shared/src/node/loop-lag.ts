import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/** A summary of an event loop's delay: quantiles in seconds (q = 1 is the max), and sum/count since start. */
export interface LoopLagSample {
  quantiles: { q: number; value: number }[];
  sum: number;
  count: number;
}

const WINDOW_MS = 10_000;
const QUANTILES = [0.5, 0.9, 0.99];

/**
 * The delay of the calling thread's event loop (perf_hooks.monitorEventLoopDelay, 20 ms
 * resolution) as a Prometheus summary wants it: quantiles (and the max as quantile 1) of the last
 * complete 10 s window (the first window: of what was seen so far), so a spike shows for a while
 * and does not fade into a since-start average, and scraping more or less often does not change
 * the figures; `sum` and `count` are cumulative since start. `onWindow` is told each window's
 * sample as it closes (the broker's thread sends it to the owner).
 */
export function createLoopLag(opts: { onWindow?: (s: LoopLagSample) => void; windowMs?: number } = {}) {
  let loop: IntervalHistogram | null = null;
  let last: LoopLagSample["quantiles"] | null = null;
  let rotation: NodeJS.Timeout | null = null;
  // Totals of the windows already rotated out (seconds, samples).
  let doneSum = 0;
  let doneCount = 0;

  const quantiles = (h: IntervalHistogram) => [
    ...QUANTILES.map((q) => ({ q, value: h.percentile(q * 100) / 1e9 })),
    { q: 1, value: h.max / 1e9 },
  ];
  const windowSum = (h: IntervalHistogram) => (h.count > 0 ? (h.mean * h.count) / 1e9 : 0);

  function sample(): LoopLagSample | null {
    if (!loop) return null;
    const q = last ?? (loop.count > 0 ? quantiles(loop) : null);
    if (q === null) return null;
    return { quantiles: q, sum: doneSum + windowSum(loop), count: doneCount + loop.count };
  }

  return {
    sample,
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
        const s = sample();
        if (s) opts.onWindow?.(s);
      }, opts.windowMs ?? WINDOW_MS);
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
