import { z } from "zod";
import type { Requester } from "../mqtt/requester.js";

const loginAnswer = z.object({ token: z.string().min(1), expiresAt: z.number() });

/** Renew this long before the token expires; never sooner than a minute from now. */
const RENEW_BEFORE_MS = 30 * 60_000;
const MIN_RENEW_MS = 60_000;

/**
 * The dashboard's API token for manager requests (docs/protocol.md §"Manager requests"):
 * `auth.login` with the password it signed in with, renewed before it expires. Through our
 * broker the stamp already says who asks; through another broker (the manager's /mqtt carrying
 * the bytes to it) the token is the only identity the manager can check.
 */
export function createRequestToken(deps: {
  requester: Pick<Requester, "call">;
  username: string;
  password: string;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}) {
  const now = deps.now ?? Date.now;
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  let token: string | null = null;
  let timer: unknown = null;
  let stopped = false;

  async function refresh(): Promise<void> {
    const a = await deps.requester.call("auth.login", { username: deps.username, password: deps.password }, loginAnswer);
    if (stopped) return;
    token = a.token;
    if (timer !== null) clearTimer(timer);
    timer = setTimer(() => {
      timer = null;
      // A failed renewal keeps the old token until it expires; the next reconnect tries again.
      refresh().catch(() => undefined);
    }, Math.max(MIN_RENEW_MS, a.expiresAt - RENEW_BEFORE_MS - now()));
  }

  return {
    get: (): string | null => token,
    refresh,
    stop(): void {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      timer = null;
      token = null;
    },
  };
}
export type RequestToken = ReturnType<typeof createRequestToken>;
