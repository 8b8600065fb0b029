/**
 * Slows down repeated authentication failures from one address (DESIGN.md "Security model"):
 * every CONNECT from an address with recent failures waits before its CONNACK, doubling per
 * failure up to a bound. Success is delayed too: otherwise a client that gives up waiting
 * would learn "wrong password" from the delay itself. The table is bounded in size.
 */
export interface AuthThrottleOptions {
  /** Delay after the second failure; the first failure costs nothing (a typo). */
  baseMs: number;
  maxMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  maxAddresses: number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = { baseMs: 250, maxMs: 5000, windowMs: 10 * 60_000, maxAddresses: 10_000 };

export function createAuthThrottle(opts: AuthThrottleOptions, clock: () => number) {
  const failures = new Map<string, { count: number; last: number }>();

  function current(address: string): { count: number; last: number } | undefined {
    const e = failures.get(address);
    if (e && clock() - e.last > opts.windowMs) {
      failures.delete(address);
      return undefined;
    }
    return e;
  }

  return {
    /** How long to hold the CONNACK of a connection from this address. */
    delayFor(address: string): number {
      const e = current(address);
      if (!e || e.count < 2) return 0;
      return Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(e.count - 2, 30));
    },
    recordFailure(address: string): void {
      const e = current(address);
      failures.delete(address); // re-insert: the Map's order is then least recently failed first
      failures.set(address, { count: (e?.count ?? 0) + 1, last: clock() });
      if (failures.size > opts.maxAddresses) {
        const oldest = failures.keys().next().value;
        if (oldest !== undefined) failures.delete(oldest);
      }
    },
    size: () => failures.size,
  };
}
export type AuthThrottle = ReturnType<typeof createAuthThrottle>;
