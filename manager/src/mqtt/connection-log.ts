import type { Logger } from "pino";

/** While the broker keeps refusing or is unreachable, at most one "still unable" line per this interval. */
export const STILL_DOWN_EVERY_MS = 30_000;

/** The reason of a connection that ended without an error (the broker or the network closed it). */
export const CLOSED_WITHOUT_ERROR = "connection closed";

export interface ConnectionLogOptions {
  log: Pick<Logger, "warn" | "info">;
  now?: () => number;
  stillDownEveryMs?: number;
}

/** The events of one client's connection, in the order MQTT.js emits them. */
export interface ConnectionLog {
  /** The connection, or the attempt at one, failed with this error; its `closed()` follows. */
  failed(reason: string): void;
  /** The connection or an attempt ended; not called for a deliberate end. */
  closed(): void;
  connected(): void;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const attempts = (n: number) => (n === 1 ? "1 attempt" : `${n} attempts`);

/**
 * The log lines of a connection that reconnects on its own every second (connect-client.ts):
 * one when it is lost, one for each reason not yet logged in this outage, at most one summary per
 * `stillDownEveryMs` while the attempts keep failing the same way, one when it is back. A broker in
 * a reconnect storm answers "server busy" to every attempt; a line for each buried everything else.
 */
export function createConnectionLog(o: ConnectionLogOptions): ConnectionLog {
  const now = o.now ?? Date.now;
  const every = o.stillDownEveryMs ?? STILL_DOWN_EVERY_MS;
  let up = false;
  let everUp = false;
  /** The error of the connection or attempt now ending. */
  let pending: string | null = null;
  /** Since when the manager has had no connection (the first attempt, or the loss). */
  let downSince = now();
  /** Failed attempts in this outage; those since the last line. */
  let failures = 0;
  let unlogged = 0;
  let lastLineAt = downSince;
  /** Reasons already logged in this outage: one coming back (two brokers answering differently) is no news. */
  const logged = new Set<string>();

  function lost(reason: string): void {
    up = false;
    downSince = lastLineAt = now();
    failures = unlogged = 0;
    logged.clear();
    logged.add(reason);
    o.log.warn({ reason }, `connection to the broker lost: ${reason}`);
  }

  function attemptFailed(reason: string): void {
    failures++;
    unlogged++;
    const t = now();
    if (!logged.has(reason)) {
      logged.add(reason);
      o.log.warn(
        { reason, attempts: failures, downS: Number(seconds(t - downSince)) },
        `unable to connect to the broker: ${reason}`,
      );
    } else if (t - lastLineAt >= every) {
      const s = Math.round((t - lastLineAt) / 1000);
      o.log.warn(
        { reason, attempts: unlogged, intervalS: s },
        `still unable to connect to the broker: ${reason}, ${attempts(unlogged)} in the last ${s} s`,
      );
    } else return;
    unlogged = 0;
    lastLineAt = t;
  }

  return {
    failed(reason) {
      pending = reason;
    },
    closed() {
      const reason = pending ?? CLOSED_WITHOUT_ERROR;
      pending = null;
      if (up) lost(reason);
      else attemptFailed(reason);
    },
    connected() {
      pending = null;
      if (everUp || failures > 0) {
        const tries = failures + 1;
        const downMs = now() - downSince;
        o.log.info(
          { attempts: tries, downS: Number(seconds(downMs)) },
          `connected to the broker${everUp ? " again" : ""} after ${attempts(tries)}, ${seconds(downMs)} s`,
        );
      }
      up = everUp = true;
      failures = unlogged = 0;
    },
  };
}
