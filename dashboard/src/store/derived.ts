import { boardStates, type BoardState } from "@bbb/shared";
import type { BoardRow } from "../table/board-row.js";
import { NONE } from "../table/filters.js";
import { ALARM_STATES } from "../ui/state-style.js";

export interface SectorTile {
  sector: string;
  total: number;
  counts: Record<BoardState, number>;
  /** Boards lost, missing or misconfigured. */
  alarm: number;
}

function zeroCounts(): Record<BoardState, number> {
  return Object.fromEntries(boardStates.map((s) => [s, 0])) as Record<BoardState, number>;
}

const collator = new Intl.Collator("en", { numeric: true });

/** One tile per sector with counts per state; sectors in alarm first, then by name. */
export function sectorTiles(rows: readonly BoardRow[]): SectorTile[] {
  const by = new Map<string, SectorTile>();
  for (const r of rows) {
    const key = r.sector || NONE;
    let t = by.get(key);
    if (!t) by.set(key, (t = { sector: key, total: 0, counts: zeroCounts(), alarm: 0 }));
    t.total++;
    t.counts[r.state]++;
    if (ALARM_STATES.includes(r.state)) t.alarm++;
  }
  return [...by.values()].sort((a, b) => (b.alarm > 0 ? 1 : 0) - (a.alarm > 0 ? 1 : 0) || collator.compare(a.sector, b.sector));
}

export function totalsByState(rows: readonly BoardRow[]): Record<BoardState, number> {
  const c = zeroCounts();
  for (const r of rows) c[r.state]++;
  return c;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Board map order: by sector, then hostname, so a sector is one contiguous block of cells. */
export function mapOrder(rows: readonly BoardRow[]): BoardRow[] {
  return [...rows].sort((a, b) => cmp(a.sectorKey || "~", b.sectorKey || "~") || cmp(a.hostKey, b.hostKey) || cmp(a.key, b.key));
}

