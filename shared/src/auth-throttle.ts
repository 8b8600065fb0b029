import { backoffCeiling } from "./backoff.js";

/**
 * Slows down repeated authentication failures of one key (an address or a username): each
 * failure past the free ones doubles the wait, up to a ceiling, so password guessing is slow
 * while a typo costs little. The doors use it through `createLoginThrottle`
 * (login-throttle.ts: one per address, one per username); docs/protocol.md §"Login throttle".
 * Bounded in size: a scan of many addresses cannot grow memory.
 */
export interface AuthThrottleOptions {
  baseMs: number;
  maxMs: number;
  /** Failures older than this are forgotten (default AUTH_THROTTLE_FORGET_MS). */
  forgetAfterMs: number;
  /** Remembered peers; the least recently failed one is dropped beyond this. */
  maxKeys: number;
  /** Failures that cost nothing; the next one waits baseMs. */
  freeFailures: number;
}

/** One forgetting time for every door: 15 minutes of no failure clears a peer's record. */
export const AUTH_THROTTLE_FORGET_MS = 15 * 60_000;

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = {
  baseMs: 250,
  maxMs: 5000,
  forgetAfterMs: AUTH_THROTTLE_FORGET_MS,
  maxKeys: 10_000,
  freeFailures: 0,
};

export function createAuthThrottle(options: Partial<AuthThrottleOptions> = {}, clock: () => number = Date.now) {
  const o = { ...DEFAULT_AUTH_THROTTLE, ...options };
  const failures = new Map<string, { count: number; last: number }>();

  function count(key: string): number {
    const e = failures.get(key);
    if (e && clock() - e.last >= o.forgetAfterMs) {
      failures.delete(key);
      return 0;
    }
    return e?.count ?? 0;
  }
  const delayAfter = (n: number) => (n <= o.freeFailures ? 0 : backoffCeiling(n - 1 - o.freeFailures, o.baseMs, o.maxMs));

  return {
    /** The wait owed for the failures recorded so far (the broker holds the CONNACK this long). */
    delayFor: (key: string): number => delayAfter(count(key)),
    /** Failures on record for the key (0 once forgotten). */
    failures: count,
    /**
     * What is left of the key's back-off window (its last failure plus the wait owed for it):
     * while above 0, an attempt is refused at once, so parallel attempts do not get through.
     */
    blockedFor(key: string): number {
      const n = count(key);
      const e = failures.get(key);
      return e ? Math.max(0, e.last + delayAfter(n) - clock()) : 0;
    },
    /** Records a failure; returns the wait owed now (the manager waits this long before answering). */
    fail(key: string): number {
      const n = count(key) + 1;
      failures.delete(key); // re-insert: the Map's order is then least recently failed first
      if (failures.size >= o.maxKeys) {
        const oldest = failures.keys().next();
        if (!oldest.done) failures.delete(oldest.value);
      }
      failures.set(key, { count: n, last: clock() });
      return delayAfter(n);
    },
    succeed(key: string): void {
      failures.delete(key);
    },
    size: () => failures.size,
  };
}
export type AuthThrottle = ReturnType<typeof createAuthThrottle>;
