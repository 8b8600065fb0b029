/**
 * Slows down repeated authentication failures from one peer (address): each failure doubles the
 * wait before the answer, up to a ceiling, so password guessing over the socket or REST is slow
 * while a single typo costs a quarter of a second.
 */
export interface AuthThrottle {
  /** How long to wait before answering a failure from this key (counts the failure). */
  fail(key: string): number;
  succeed(key: string): void;
}

export interface AuthThrottleOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs?: number;
  /** Bound on remembered peers, so a scan of many addresses cannot grow memory. */
  maxKeys?: number;
  now?: () => number;
}

export function createAuthThrottle(opts: AuthThrottleOptions = {}): AuthThrottle {
  const base = opts.baseDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 5000;
  const forget = opts.forgetAfterMs ?? 15 * 60_000;
  const maxKeys = opts.maxKeys ?? 10_000;
  const now = opts.now ?? Date.now;
  const failures = new Map<string, { count: number; last: number }>();
  return {
    fail(key) {
      const t = now();
      const prev = failures.get(key);
      const count = prev && t - prev.last < forget ? prev.count + 1 : 1;
      failures.delete(key);
      if (failures.size >= maxKeys) {
        const oldest = failures.keys().next();
        if (!oldest.done) failures.delete(oldest.value);
      }
      failures.set(key, { count, last: t });
      return Math.min(max, base * 2 ** Math.min(count - 1, 16));
    },
    succeed(key) {
      failures.delete(key);
    },
  };
}
