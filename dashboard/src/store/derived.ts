import { boardStates, type BoardState, type HostView, type NodeView } from "@bbb/shared";
import { isBoardless, type BoardRow, type SectorOf } from "../table/board-row.js";
import { NONE } from "../table/filters.js";
import { needsAttention } from "../ui/attention.js";

export interface SectorTile {
  sector: string;
  total: number;
  counts: Record<BoardState, number>;
  /** Boards that need attention (ui/attention.ts): gone, missing, misconfigured or in a conflict. */
  alarm: number;
}

function zeroCounts(): Record<BoardState, number> {
  return Object.fromEntries(boardStates.map((s) => [s, 0])) as Record<BoardState, number>;
}

const collator = new Intl.Collator("en", { numeric: true });

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Board map order: by sector, then hostname, so a sector is one contiguous block of cells. */
export function mapOrder(rows: readonly BoardRow[]): BoardRow[] {
  return [...rows].sort((a, b) => cmp(a.sectorKey || "~", b.sectorKey || "~") || cmp(a.hostKey, b.hostKey) || cmp(a.key, b.key));
}


export interface Aggregates {
  total: number;
  totals: Record<BoardState, number>;
  /** Boards that need attention, over the whole fleet (the overview's counter). */
  attention: number;
  tiles: SectorTile[];
}

/**
 * Sector tiles and totals straight from the store's maps in one pass (no row objects): the
 * overview recomputes this every frame while 10,000 boards update.
 */
export function aggregate(hosts: ReadonlyMap<string, HostView>, nodes: ReadonlyMap<string, NodeView>, sectorOf: SectorOf = () => null): Aggregates {
  const totals = zeroCounts();
  const by = new Map<string, SectorTile>();
  let total = 0;
  let attention = 0;
  const add = (sector: string, state: BoardState, problems: readonly { code: string }[]) => {
    const key = sector || NONE;
    let t = by.get(key);
    if (!t) by.set(key, (t = { sector: key, total: 0, counts: zeroCounts(), alarm: 0 }));
    t.total++;
    t.counts[state]++;
    if (needsAttention(state, problems)) {
      t.alarm++;
      attention++;
    }
    totals[state]++;
    total++;
  };
  for (const v of hosts.values()) add(v.sector ?? v.node?.sector ?? "", v.state, v.problems);
  for (const n of nodes.values()) {
    if (isBoardless(n.state) && (n.boardId === null || !hosts.has(n.boardId))) add(n.node.sector ?? (n.node.ip.mode === "manual" ? sectorOf(n.node.ip.ip) : null) ?? "", n.state, []);
  }
  const tiles = [...by.values()].sort((a, b) => (b.alarm > 0 ? 1 : 0) - (a.alarm > 0 ? 1 : 0) || collator.compare(a.sector, b.sector));
  return { total, totals, attention, tiles };
}
