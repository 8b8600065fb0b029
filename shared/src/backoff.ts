import { REFUSED_BACKOFF_CAP_MS } from "./constants.js";

/**
 * Exponential back-off, the one formula behind every retry and throttle: the agent's and the
 * dashboard's reconnects, webhook retries and the login throttles of the broker and manager.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /**
   * "none": the ceiling itself; "full": uniform in [0, ceiling) (spreads 600 boards' reconnects
   * over the whole window so a restarted broker is not hit by all of them at once); a number f:
   * the ceiling times a factor uniform in [1 - f, 1 + f], still capped.
   */
  jitter?: "none" | "full" | number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

/** min(cap, base * 2^attempt); attempt below 0 counts as 0. */
export function backoffCeiling(attempt: number, baseMs: number, capMs: number): number {
  // 2^attempt overflows to Infinity long after the cap is reached; min() keeps it finite.
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
}

/** Delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const ceiling = backoffCeiling(attempt, o.baseMs, o.capMs);
  const jitter = o.jitter ?? "full";
  if (jitter === "none") return ceiling;
  const r = (o.random ?? Math.random)();
  if (jitter === "full") return Math.floor(r * ceiling);
  return Math.round(Math.min(o.capMs, ceiling * (1 - jitter + 2 * jitter * r)));
}

/**
 * An agent's delay before reconnect attempt `attempt` (docs/protocol.md §"Liveness"): the
 * back-off `o`, its ceiling held at REFUSED_BACKOFF_CAP_MS after an attempt whose TCP connection
 * was refused outright (nothing listening), so boards are back within seconds of a restart.
 */
export function reconnectDelay(attempt: number, refused: boolean, o: BackoffOptions): number {
  return backoffDelay(attempt, refused ? { ...o, capMs: Math.min(o.capMs, REFUSED_BACKOFF_CAP_MS) } : o);
}
