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
 * An agent's next reconnect (docs/protocol.md §"Liveness"): the delay before it and the attempt
 * count after it, on the back-off `o`. After an attempt whose TCP connection was refused outright
 * (nothing listening: a server restarting) the ceiling stays at REFUSED_BACKOFF_CAP_MS and the
 * count stops where that ceiling is reached: the first failure once the server listens again
 * backs off from there, not from the count the outage ran up.
 */
export function reconnectStep(attempt: number, refused: boolean, o: BackoffOptions): { delayMs: number; next: number } {
  if (!refused) return { delayMs: backoffDelay(attempt, o), next: attempt + 1 };
  const capMs = Math.min(o.capMs, REFUSED_BACKOFF_CAP_MS);
  const level = Math.max(0, Math.ceil(Math.log2(capMs / o.baseMs)));
  return { delayMs: backoffDelay(Math.min(attempt, level), { ...o, capMs }), next: Math.min(attempt + 1, level) };
}
