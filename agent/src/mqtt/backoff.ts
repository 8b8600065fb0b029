import { RECONNECT_BACKOFF_CAP_MS } from "@bbb/shared";

export { backoffCeiling, backoffDelay, reconnectStep, type BackoffOptions } from "@bbb/shared";

/**
 * The agent's reconnect back-off: full jitter from 500 ms doubling up to the shared ceiling, so
 * 600 boards' reconnects spread over the whole window after a broker restart.
 */
export const DEFAULT_BACKOFF = { baseMs: 500, capMs: RECONNECT_BACKOFF_CAP_MS, jitter: "full" } as const;
