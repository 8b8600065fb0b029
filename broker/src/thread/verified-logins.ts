import type { Role } from "@bbb/shared";
import { createVerifiedCache } from "../verified-cache.js";

/**
 * The owner's answer to an `ask-verify`: the role (null: refused) and the user store's generation
 * when its check began (threaded-broker.ts counts one per change of the store).
 */
export interface VerifyAnswer {
  role: Role | null;
  generation: number;
}

/**
 * The broker thread's cache of successful logins, so that a repeated login (an operator's
 * `mosquitto_pub` per command, a reconnecting dashboard) is answered on this thread instead of
 * waiting behind the main thread's work (BENCHMARKS.md §4 "Commands"). Failures are always asked.
 *
 * An entry holds the role and is stamped with the store's generation: every change of the store
 * (a password, a role, a removal, a replaceAll) reaches this thread as a new generation, after
 * which no older entry is used. An answer is kept only if it was computed at the generation this
 * thread is at when it arrives: messages on the port are ordered, so a change that landed while
 * the check was in flight on the main thread arrives here before its answer, and the old answer,
 * still given to the login that asked, is not kept for the next.
 */
export function createVerifiedLogins(deps: {
  ask: (username: string, password: string) => Promise<VerifyAnswer>;
  /** The store's generation at this thread's start. */
  generation: number;
  ttlMs?: number;
  max?: number;
  now?: () => number;
}) {
  const cache = createVerifiedCache<Role>({
    ...(deps.ttlMs !== undefined ? { ttlMs: deps.ttlMs } : {}),
    ...(deps.max !== undefined ? { max: deps.max } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  let generation = deps.generation;
  return {
    async verify(username: string, password: string): Promise<Role | null> {
      const role = cache.hit(username, password, String(generation));
      if (role) return role;
      const answer = await deps.ask(username, password);
      if (answer.role && answer.generation === generation) cache.remember(username, password, String(generation), answer.role);
      return answer.role;
    },
    /** The store changed (a `users` message): entries of earlier generations end. */
    changed(next: number): void {
      generation = next;
    },
  };
}
