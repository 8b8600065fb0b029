import { PROTOCOL_VERSION, type LogLine } from "@bbb/shared";
import type { Clock } from "../system/clock.js";

export type BoardLog = Record<LogLine["level"], (msg: string) => void>;

/**
 * Lines for `<root>/<id>/log` (docs/protocol.md §"Topic tree": QoS 0, not retained), shown on a board's
 * page in the dashboard: what the agent did, not its debug output. At most `perSec` lines per
 * second; extra lines are dropped, never queued (a log must not load a 1 GHz board or the broker).
 */
export function createBoardLog(deps: { publish(payload: string): void; clock: Clock; perSec?: number }): BoardLog {
  const perSec = deps.perSec ?? 5;
  let windowStart = 0;
  let sent = 0;
  const line = (level: LogLine["level"]) => (msg: string) => {
    const now = deps.clock.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      sent = 0;
    }
    if (sent >= perSec) return;
    sent++;
    const l: LogLine = { v: PROTOCOL_VERSION, level, msg: msg.slice(0, 4096), ts: now };
    deps.publish(JSON.stringify(l));
  };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}
