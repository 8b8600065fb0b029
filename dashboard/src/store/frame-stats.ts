/** Per-frame work of the store (decode + reduce + Vue's re-render), for the 16 ms budget. */
export interface FrameStats {
  frames: number;
  messages: number;
  totalMs: number;
  maxMs: number;
  /** The last durations, for percentiles. */
  recent: number[];
}

export function createFrameStats(keep = 600) {
  const stats: FrameStats = { frames: 0, messages: 0, totalMs: 0, maxMs: 0, recent: [] };
  return {
    stats,
    record(ms: number, messages: number) {
      stats.frames++;
      stats.messages += messages;
      stats.totalMs += ms;
      if (ms > stats.maxMs) stats.maxMs = ms;
      stats.recent.push(ms);
      if (stats.recent.length > keep) stats.recent.splice(0, stats.recent.length - keep);
    },
    reset() {
      stats.frames = 0;
      stats.messages = 0;
      stats.totalMs = 0;
      stats.maxMs = 0;
      stats.recent = [];
    },
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}
