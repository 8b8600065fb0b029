import type { HostView, Problem } from "@bbb/shared";
import { displayName } from "./fleet-stats.js";

/** Problems of the health watch (docs/protocol.md §"Alarms"). */
export const HEALTH_CODES: ReadonlySet<Problem["code"]> = new Set(["threshold", "time-unsynced"]);

export interface AlarmEntry {
  id: string;
  name: string;
  sector: string | null;
  severity: "warning" | "critical";
  message: string;
}

/** One entry per health problem of a board, critical first, then by board name. */
export function alarmEntries(hosts: Iterable<HostView>): AlarmEntry[] {
  const out: AlarmEntry[] = [];
  for (const h of hosts) {
    for (const p of h.problems) {
      if (!HEALTH_CODES.has(p.code)) continue;
      out.push({
        id: h.id,
        name: displayName(h),
        sector: h.sector,
        severity: p.severity ?? "warning",
        message: p.message,
      });
    }
  }
  return out.sort((a, b) =>
    a.severity === b.severity ? a.name.localeCompare(b.name) : a.severity === "critical" ? -1 : 1,
  );
}
