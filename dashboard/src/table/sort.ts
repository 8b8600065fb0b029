import { STATE_SEVERITY } from "@bbb/shared";
import type { BoardRow } from "./board-row.js";

export const SORT_KEYS = [
  "hostname", "ip", "id", "type", "sector", "state", "problem", "since", "lastSeen", "uptime", "load1", "tempC", "projectRevision", "pvPrefix", "agentVersion",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface SortSpec {
  key: SortKey;
  desc: boolean;
}

export const DEFAULT_SORT: SortSpec = { key: "state", desc: false };

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function ipKey(ip: string): number {
  const p = ip.split(".");
  if (p.length !== 4) return Number.MAX_SAFE_INTEGER;
  return p.reduce((n, o) => n * 256 + (Number(o) || 0), 0);
}

function compareBy(key: SortKey, a: BoardRow, b: BoardRow): number {
  switch (key) {
    case "state":
      return STATE_SEVERITY[a.state] - STATE_SEVERITY[b.state];
    case "ip":
      return ipKey(a.ip) - ipKey(b.ip);
    case "since":
    case "lastSeen":
    case "uptime":
    case "load1":
    case "tempC": {
      // Unknown numbers sort last in either direction's natural reading.
      const x = a[key] ?? -Infinity;
      const y = b[key] ?? -Infinity;
      return x === y ? 0 : x < y ? -1 : 1;
    }
    case "hostname":
      return cmp(a.hostKey, b.hostKey);
    case "sector":
      return cmp(a.sectorKey, b.sectorKey);
    case "id":
    case "problem":
    case "type":
    case "projectRevision":
    case "pvPrefix":
    case "agentVersion":
      return cmp(a[key], b[key]);
  }
}

/** Sorted copy; ties broken by hostname then id so the order is stable between updates. */
export function sortRows(rows: readonly BoardRow[], s: SortSpec): BoardRow[] {
  const dir = s.desc ? -1 : 1;
  return [...rows].sort((a, b) => dir * compareBy(s.key, a, b) || cmp(a.hostKey, b.hostKey) || cmp(a.key, b.key));
}

export function isSortKey(s: string): s is SortKey {
  return (SORT_KEYS as readonly string[]).includes(s);
}
