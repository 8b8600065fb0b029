/**
 * Reconnect delay after `attempt` consecutive failures: exponential from `baseMs`, capped at
 * `maxMs`, with +-20 % jitter so a control room full of consoles does not reconnect in step
 * after a broker restart.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 500, maxMs = 15_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  const jitter = 0.8 + 0.4 * random();
  return Math.round(Math.min(maxMs, exp * jitter));
}
