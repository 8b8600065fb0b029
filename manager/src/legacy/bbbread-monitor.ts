import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { logsKey } from "./bbbread-hash.js";

export interface BbbreadMonitorDeps {
  log: Logger;
  now: () => number;
  cmd: Redis;
  /** HDEL found the board's heartbeat mark: it wrote since the last round. */
  written: (key: string) => void;
}

/** The set the old monitor adds disconnected boards to (its operator panel reads it). */
export const DISCONNECTED_SET = "DisconnectedWarn";

/**
 * Replace mode (docs/legacy-protocols.md "Replace mode"): what the old monitor's 20 s loop did,
 * so the panels and REST API reading those keys keep working. Per board: `HDEL heartbeat`; a
 * removed field means it wrote (`state_string=Connected`, `ping_time`, "Reconnected" logged
 * after a disconnection), none means `Disconnected` (logged once, added to DisconnectedWarn).
 */
export function createBbbreadMonitor(deps: BbbreadMonitorDeps) {
  const ownHset = new Map<string, number>();
  const ownLogs = new Set<string>();
  const lastState = new Map<string, string>();

  async function hsetOwn(key: string, ...fv: string[]): Promise<void> {
    ownHset.set(key, (ownHset.get(key) ?? 0) + 1);
    await deps.cmd.hset(key, ...fv);
  }

  async function logLine(key: string, text: string): Promise<void> {
    const field = String(Math.floor(deps.now() / 1000));
    ownLogs.add(`${key}\n${field}\n${text}`);
    await hsetOwn(logsKey(key), field, text);
  }

  return {
    /** One hset keyspace event of a board key: ours (skipped) or the board's. */
    ownWrite(key: string): boolean {
      const n = ownHset.get(key) ?? 0;
      if (n === 0) return false;
      if (n === 1) ownHset.delete(key);
      else ownHset.set(key, n - 1);
      return true;
    },
    wroteLog: (key: string, field: string, text: string) => ownLogs.delete(`${key}\n${field}\n${text}`),

    async round(keys: readonly string[]): Promise<void> {
      for (const key of keys) {
        try {
          const removed = await deps.cmd.hdel(key, "heartbeat");
          const was = lastState.get(key) ?? (await deps.cmd.hget(key, "state_string")) ?? "";
          if (removed > 0) {
            deps.written(key);
            await hsetOwn(key, "state_string", "Connected", "ping_time", String(Math.floor(deps.now() / 1000)));
            if (was === "Disconnected") await logLine(key, "Reconnected");
            lastState.set(key, "Connected");
          } else {
            if (was !== "Disconnected") {
              // The warning set and the log first: a reader that sees `Disconnected` finds both.
              await deps.cmd.sadd(DISCONNECTED_SET, key);
              await logLine(key, "Disconnected");
              await hsetOwn(key, "state_string", "Disconnected");
            }
            lastState.set(key, "Disconnected");
          }
        } catch (err: unknown) {
          deps.log.warn({ err, key }, "monitor round failed for a board");
        }
      }
    },
  };
}
