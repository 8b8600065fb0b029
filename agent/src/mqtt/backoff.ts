import { RECONNECT_BACKOFF_CAP_MS } from "@bbb/shared";

/**
 * Exponential backoff with full jitter: delay = random() * min(cap, base * 2^attempt).
 * Full jitter spreads the reconnects of 600 boards over the whole window, so a restarted
 * broker is not hit by all of them at the same instant (issue "Foundation", point 4).
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Uniform in [0, 1); injectable for tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF = { baseMs: 500, capMs: RECONNECT_BACKOFF_CAP_MS } as const;

export function backoffCeiling(attempt: number, baseMs: number, capMs: number): number {
  // 2^attempt overflows to Infinity long after the cap is reached; min() keeps it finite.
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
}

export function backoffDelay(attempt: number, o: BackoffOptions): number {
  return Math.floor(o.random() * backoffCeiling(attempt, o.baseMs, o.capMs));
}
