import { hostnameToEpics, type HostView } from "@bbb/shared";

/** Metrics of the fleet views (docs/protocol.md §"Health history"). */
export const FLEET_METRICS = [
  { key: "tempC", label: "Temperature", unit: " °C" },
  { key: "load1", label: "Load (1 min)", unit: "" },
  { key: "diskUsedPct", label: "Disk used", unit: " %" },
] as const;
export type FleetMetric = (typeof FLEET_METRICS)[number]["key"];

export interface Distribution {
  sector: string;
  n: number;
  min: number;
  p50: number;
  p90: number;
  max: number;
}

export interface Ranked {
  id: string;
  name: string;
  sector: string;
  value: number;
}

const LIVE = new Set(["online", "misconfigured", "unregistered"]);
const NO_SECTOR = "(none)";

/** Current value of a live board, or null (a dead board's last beat is not its present). */
export function liveValue(h: HostView, m: FleetMetric): number | null {
  if (!LIVE.has(h.state)) return null;
  const v = h.heartbeat?.[m];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Min, median, 90th percentile and max of a metric per sector, sectors in name order. */
export function distributionBySector(hosts: Iterable<HostView>, m: FleetMetric): Distribution[] {
  const by = new Map<string, number[]>();
  for (const h of hosts) {
    const v = liveValue(h, m);
    if (v === null) continue;
    const k = h.sector ?? NO_SECTOR;
    let list = by.get(k);
    if (!list) by.set(k, (list = []));
    list.push(v);
  }
  return [...by.entries()]
    .map(([sector, vs]) => {
      const s = vs.sort((a, b) => a - b);
      return {
        sector,
        n: s.length,
        min: s[0] ?? 0,
        p50: quantile(s, 0.5),
        p90: quantile(s, 0.9),
        max: s[s.length - 1] ?? 0,
      };
    })
    .sort((a, b) => a.sector.localeCompare(b.sector, undefined, { numeric: true }));
}

export const displayName = (h: HostView) => hostnameToEpics(h.heartbeat?.hostname ?? h.node?.hostname ?? "") || h.id;

/** The `n` live boards with the highest value of a metric. */
export function topBoards(hosts: Iterable<HostView>, m: FleetMetric, n = 20): Ranked[] {
  const out: Ranked[] = [];
  for (const h of hosts) {
    const v = liveValue(h, m);
    if (v !== null) out.push({ id: h.id, name: displayName(h), sector: h.sector ?? NO_SECTOR, value: v });
  }
  return out.sort((a, b) => b.value - a.value || a.id.localeCompare(b.id)).slice(0, n);
}

/** Boards that rebooted unexpectedly at least `min` times in the last 24 h, most first. */
export function rebootedBoards(hosts: Iterable<HostView>, min: number): HostView[] {
  return [...hosts]
    .filter((h) => (h.reboots?.last24h ?? 0) >= min)
    .sort((a, b) => (b.reboots?.last24h ?? 0) - (a.reboots?.last24h ?? 0) || a.id.localeCompare(b.id));
}
