import { createAuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottleOptions } from "./auth-throttle.js";

/**
 * The login throttle of every door (docs/protocol.md §"Login throttle"): one back-off window per
 * source address and one per username, both from `createAuthThrottle`. While either window is
 * open an attempt is refused at once, before its password is checked, even a right one, so
 * parallel guesses gain nothing; and only `maxInFlight` checks per key run at once (one once the
 * key has failed), so a burst sent before the first failure is recorded does not get through
 * either. The address window grows to `address.maxMs`; the username window is capped low
 * (`user.maxMs`), so failures from elsewhere lock a known user out for a few seconds at most
 * (guessing one user from many addresses is slowed, not a denial of service of that user).
 */
export interface LoginThrottleOptions {
  address: Partial<AuthThrottleOptions>;
  user: Partial<AuthThrottleOptions>;
  /** Concurrent password checks per key with no failure on record (one after a failure). */
  maxInFlight: number;
}

/** The per-username window never exceeds this: a known user is locked out 2 s at most. */
export const LOGIN_USER_MAX_MS = 2000;

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  address: DEFAULT_AUTH_THROTTLE,
  user: { ...DEFAULT_AUTH_THROTTLE, maxMs: LOGIN_USER_MAX_MS, freeFailures: 2 },
  maxInFlight: 8,
};

export function createLoginThrottle(options: Partial<LoginThrottleOptions> = {}, clock: () => number = Date.now) {
  const byAddress = createAuthThrottle({ ...DEFAULT_LOGIN_THROTTLE.address, ...options.address }, clock);
  const byUser = createAuthThrottle({ ...DEFAULT_LOGIN_THROTTLE.user, ...options.user }, clock);
  const maxInFlight = options.maxInFlight ?? DEFAULT_LOGIN_THROTTLE.maxInFlight;
  const inFlight = new Map<string, number>();
  const userKey = (username: string | null | undefined) => (username ? `u:${username.slice(0, 256)}` : null);
  const addrKey = (address: string) => `a:${address}`;
  const busy = (key: string, failed: boolean) => (inFlight.get(key) ?? 0) >= (failed ? 1 : maxInFlight);
  const release = (key: string) => {
    const n = (inFlight.get(key) ?? 0) - 1;
    if (n > 0) inFlight.set(key, n);
    else inFlight.delete(key);
  };
  const settle = (address: string, username?: string | null) => {
    release(addrKey(address));
    const u = userKey(username);
    if (u !== null) release(u);
  };
  const windowOf = (address: string, u: string | null) =>
    Math.max(byAddress.blockedFor(address), u === null ? 0 : byUser.blockedFor(u));

  return {
    /** Milliseconds left before this address (and username, when given) may try again; 0: go ahead. */
    blockedFor: (address: string, username?: string | null): number => windowOf(address, userKey(username)),
    /**
     * Asks to check one password: 0 means go ahead, and the caller then owes exactly one `end`
     * with the same address and username once the check is over (after `fail` or `succeed`);
     * above 0, refuse at once (the milliseconds to wait, at least 1 when only busy).
     */
    begin(address: string, username?: string | null): number {
      const u = userKey(username);
      const wait = windowOf(address, u);
      if (wait > 0) return wait;
      const a = addrKey(address);
      if (busy(a, byAddress.failures(address) > 0)) return 1;
      if (u !== null && busy(u, byUser.failures(u) > 0)) return 1;
      inFlight.set(a, (inFlight.get(a) ?? 0) + 1);
      if (u !== null) inFlight.set(u, (inFlight.get(u) ?? 0) + 1);
      return 0;
    },
    /**
     * Records a failed password check; returns the wait owed now: the longer of the two windows,
     * so a client that waits for its answer before trying again is never refused unchecked.
     */
    fail(address: string, username?: string | null): number {
      const u = userKey(username);
      const forUser = u === null ? 0 : byUser.fail(u);
      return Math.max(forUser, byAddress.fail(address));
    },
    succeed(address: string, username?: string | null): void {
      byAddress.succeed(address);
      const u = userKey(username);
      if (u !== null) byUser.succeed(u);
    },
    /** Frees the slot a `begin` that returned 0 took. */
    end: settle,
    size: () => byAddress.size() + byUser.size(),
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
