/**
 * Event-loop stalls of this process: a 10 ms timer that fires more than 50 ms late means the
 * loop did not turn (busy, collecting garbage, or not scheduled). Used by the server probe and
 * by the idle canary beside it, so both measure the same way.
 */
export function createStallRecorder({ limit = 50, thresholdMs = 50 } = {}) {
  let stalls = [];
  let maxMs = 0;
  let last = performance.now();
  setInterval(() => {
    const t = performance.now();
    const late = t - last - 10;
    if (late > thresholdMs && stalls.length < limit) stalls.push({ atMs: Math.round(performance.timeOrigin + last), ms: Math.round(late) });
    maxMs = Math.max(maxMs, late);
    last = t;
  }, 10).unref();
  return {
    reset() {
      stalls = [];
      maxMs = 0;
    },
    stats: () => ({ stalls, maxMs: Math.round(maxMs) }),
  };
}
