/** Wall clock of the board (ms since the epoch); injected so tests control time. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
