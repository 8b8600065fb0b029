import { createAuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottleOptions } from "./auth-throttle.js";

/**
 * The login throttle of every door (docs/protocol.md §"Login throttle"): one back-off window per
 * source address and one per username, both from `createAuthThrottle`. While either window is
 * open an attempt is refused at once, before its password is checked, even a right one, so
 * parallel guesses gain nothing. The address window grows to `address.maxMs`; the username
 * window is capped low (`user.maxMs`), so failures from elsewhere lock a known user out for a
 * few seconds at most (guessing one user from many addresses is slowed, not a denial of
 * service of that user). A door may skip the username window for logins that cannot be an
 * operator's (the broker: board ids).
 */
export interface LoginThrottleOptions {
  address: Partial<AuthThrottleOptions>;
  user: Partial<AuthThrottleOptions>;
}

/** The per-username window never exceeds this: a known user is locked out 2 s at most. */
export const LOGIN_USER_MAX_MS = 2000;

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  address: DEFAULT_AUTH_THROTTLE,
  user: { ...DEFAULT_AUTH_THROTTLE, maxMs: LOGIN_USER_MAX_MS, freeFailures: 2 },
};

export function createLoginThrottle(options: Partial<LoginThrottleOptions> = {}, clock: () => number = Date.now) {
  const byAddress = createAuthThrottle({ ...DEFAULT_LOGIN_THROTTLE.address, ...options.address }, clock);
  const byUser = createAuthThrottle({ ...DEFAULT_LOGIN_THROTTLE.user, ...options.user }, clock);
  const userKey = (username: string | null | undefined) => (username ? username.slice(0, 256) : null);

  return {
    /** Milliseconds left before this address (and username, when given) may try again; 0: go ahead. */
    blockedFor(address: string, username?: string | null): number {
      const u = userKey(username);
      return Math.max(byAddress.blockedFor(address), u === null ? 0 : byUser.blockedFor(u));
    },
    /** The wait owed before a CONNACK or answer (the address's, as before). */
    delayFor: (address: string): number => byAddress.delayFor(address),
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
    size: () => byAddress.size() + byUser.size(),
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
