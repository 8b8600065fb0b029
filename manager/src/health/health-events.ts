import type { Logger } from "pino";
import type { BoardRecord } from "../registry/board-record.js";
import type { HealthSink, HealthTransition } from "../registry/health-watch.js";
import type { HistoryInput } from "../store/history-repo.js";

/**
 * Alarms and unexpected reboots as history entries (`alarm`, `reboot`), docs/protocol.md
 * §"Alarms"; the problems they raise reach webhooks and the event stream as `problems-change`
 * events from the registry.
 */
export function createHealthRecorder(deps: {
  record: (e: HistoryInput) => void;
  log: Logger;
}): HealthSink {
  const hostname = (rec: BoardRecord) => rec.live.heartbeat?.hostname ?? rec.nodeHost;
  const describe = (c: HealthTransition) =>
    c.metric === "timeSync"
      ? c.to === "unsynced"
        ? "clock not synchronised"
        : `clock ${c.to === "synced" ? "synchronised again" : "sync unknown"}`
      : c.to === "ok"
        ? `${c.metric} back to normal (${c.value ?? ""})`
        : `${c.metric} ${c.to} (${c.value ?? ""})`;
  return {
    alarmChanged(rec, c, t) {
      deps.record({
        ts: t,
        kind: "alarm",
        boardId: rec.id,
        hostname: hostname(rec),
        by: null,
        message: describe(c),
        data: { metric: c.metric, from: c.from, to: c.to, value: c.value },
      });
    },
    unexpectedReboot(rec, previousUptime, uptime, t) {
      deps.log.warn({ boardId: rec.id, previousUptime, uptime }, "unexpected reboot");
      deps.record({
        ts: t,
        kind: "reboot",
        boardId: rec.id,
        hostname: hostname(rec),
        by: null,
        message: `rebooted unexpectedly (uptime was ${previousUptime} s, now ${uptime} s)`,
        data: { previousUptime, uptime },
      });
    },
  };
}
