import { backoffDelay as sharedBackoffDelay } from "@bbb/shared";

/**
 * Reconnect delay after `attempt` consecutive failures: exponential from `baseMs`, capped at
 * `maxMs`, with +-20 % jitter so a control room full of consoles does not reconnect in step
 * after a broker restart.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 500, maxMs = 15_000): number {
  return sharedBackoffDelay(attempt, { baseMs, capMs: maxMs, jitter: 0.2, random });
}
