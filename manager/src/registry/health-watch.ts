import {
  alarmLevel,
  alarmMetrics,
  mergeThresholds,
  type AlarmLevel,
  type AlarmMetric,
  type BoardType,
  type FullThresholds,
  type Heartbeat,
  type Problem,
} from "@bbb/shared";
import type { BoardRecord } from "./board-record.js";

/** Unexpected reboots within this window are counted on the board (docs/protocol.md §"Alarms"). */
export const REBOOT_WINDOW_MS = 86_400_000;
/** Uptime must fall by more than this (s) to be a reboot: beats of one second may arrive out of order. */
const UPTIME_SLACK_S = 5;

export interface HealthTransition {
  metric: AlarmMetric | "timeSync";
  from: string;
  to: string;
  value: number | null;
}

export interface HealthSink {
  alarmChanged(rec: BoardRecord, change: HealthTransition, t: number): void;
  unexpectedReboot(rec: BoardRecord, previousUptime: number, uptime: number, t: number): void;
}

/**
 * The clock offset alarm uses what the sync daemon reports; the manager's own measure (board
 * time minus receive time) includes transit and has its own `clock-skew` problem.
 */
const valueOf = (m: AlarmMetric, hb: Heartbeat): number | undefined =>
  m === "clockOffsetMs" ? (hb.clockOffsetMs === undefined ? undefined : Math.abs(hb.clockOffsetMs)) : hb[m];

/**
 * Thresholds with hysteresis, time sync and unexpected reboots, per live beat: a few comparisons
 * per beat, and `true` only when a level changed (then the board is re-evaluated and its
 * problems published).
 */
export function createHealthWatch(deps: {
  fleet: () => FullThresholds;
  typeOf: (name: string) => BoardType | undefined;
  sink: HealthSink;
}) {
  const thresholdsOf = (hb: Heartbeat) => mergeThresholds(deps.fleet(), deps.typeOf(hb.type)?.thresholds);

  return {
    beat(rec: BoardRecord, prev: Pick<Heartbeat, "uptime" | "timeSync"> | null, hb: Heartbeat, t: number): boolean {
      let changed = false;
      const th = thresholdsOf(hb);
      for (const m of alarmMetrics) {
        const v = valueOf(m, hb);
        if (v === undefined) continue;
        const was = rec.alarms[m];
        const from: AlarmLevel = was?.level ?? "ok";
        const to = alarmLevel(v, from, th[m]);
        if (to === from) {
          // A raised alarm shows its peak: a rise by more than the hysteresis is published (not recorded).
          if (was && v > was.value + Math.max(th[m].hysteresis, 0.1)) {
            was.value = v;
            changed = true;
          }
          continue;
        }
        changed = true;
        if (to === "ok") delete rec.alarms[m];
        else
          rec.alarms[m] = { level: to, value: v, limit: (to === "critical" ? th[m].crit : th[m].warn) ?? v, since: t };
        deps.sink.alarmChanged(rec, { metric: m, from, to, value: v }, t);
      }
      const syncWas = prev?.timeSync ?? "unknown";
      const syncNow = hb.timeSync ?? "unknown";
      if (syncWas !== syncNow && (syncWas === "unsynced" || syncNow === "unsynced")) {
        changed = true;
        deps.sink.alarmChanged(rec, { metric: "timeSync", from: syncWas, to: syncNow, value: null }, t);
      }
      if (prev && hb.uptime + UPTIME_SLACK_S < prev.uptime && !rec.live.reboot) {
        const r = rec.reboots;
        r.total++;
        r.lastAt = t;
        r.recent.push(t);
        changed = true;
        deps.sink.unexpectedReboot(rec, prev.uptime, hb.uptime, t);
      }
      return changed;
    },
  };
}

/** Reboot counts as shown: the 24 h window is cut at `t`. */
export function rebootCounts(rec: BoardRecord, t: number) {
  const r = rec.reboots;
  while (r.recent.length > 0 && t - (r.recent[0] ?? t) > REBOOT_WINDOW_MS) r.recent.shift();
  return { total: r.total, last24h: r.recent.length, lastAt: r.lastAt };
}

const LABEL: Record<AlarmMetric, [string, string]> = {
  diskUsedPct: ["disk", "%"],
  tempC: ["temperature", " °C"],
  memUsedPct: ["memory", "%"],
  load1: ["load", ""],
  clockOffsetMs: ["clock offset", " ms"],
};

/** Problems of raised alarms and an unsynchronised clock (only while the board is alive). */
export function healthProblems(rec: BoardRecord): Problem[] {
  if (!rec.alive) return [];
  const out: Problem[] = [];
  for (const m of alarmMetrics) {
    const a = rec.alarms[m];
    if (!a) continue;
    const [name, unit] = LABEL[m];
    out.push({
      code: "threshold",
      field: m,
      severity: a.level,
      actual: String(Math.round(a.value * 10) / 10),
      expected: `< ${a.limit}`,
      message: `${name} up to ${Math.round(a.value * 10) / 10}${unit}, over the ${a.level} limit ${a.limit}${unit}`,
    });
  }
  if (rec.live.heartbeat?.timeSync === "unsynced")
    out.push({ code: "time-unsynced", message: "the board's clock is not synchronised" });
  return out;
}
