import { PerformanceObserver } from "node:perf_hooks";
import type { LoopLagSample } from "./loop-lag.js";

/** Pauses kept per window at most (a thread that collects more often than this is told by `count`). */
const MAX_PER_WINDOW = 10_000;
const QUANTILES = [0.5, 0.9, 0.99];

/**
 * The calling thread's garbage-collection pauses as a Prometheus summary per window, shaped as
 * createLoopLag's: quantiles of the pauses of the window that `rotate()` closes (q = 1 the
 * longest; 0 when it had none), sum and count since `start()`. The broker's thread closes a
 * window with each event-loop window and sends both to its owner (its /metrics).
 */
export function createGcPauses() {
  let window: number[] = [];
  let sum = 0;
  let count = 0;
  let observer: PerformanceObserver | null = null;

  /** One pause, in seconds. */
  function record(seconds: number): void {
    sum += seconds;
    count++;
    if (window.length < MAX_PER_WINDOW) window.push(seconds);
  }

  return {
    record,
    start(): void {
      if (observer) return;
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) record(e.duration / 1000);
      });
      observer.observe({ entryTypes: ["gc"] });
    },
    /** Closes the current window and returns its summary. */
    rotate(): LoopLagSample {
      const s = window.sort((a, b) => a - b);
      window = [];
      const at = (q: number) => (s.length === 0 ? 0 : (s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0));
      return { quantiles: [...QUANTILES.map((q) => ({ q, value: at(q) })), { q: 1, value: s.at(-1) ?? 0 }], sum, count };
    },
    stop(): void {
      observer?.disconnect();
      observer = null;
    },
  };
}
