import type { BoardRow } from "./board-row.js";

/** Faceted filters of the boards table: state, sector, type, IP mode, problems. */
export const FACETS = ["state", "sector", "type", "ipMode", "problem"] as const;
export type Facet = (typeof FACETS)[number];

export type BoardFilter = Record<Facet, readonly string[]> & { q: string };

export function emptyFilter(): BoardFilter {
  return { state: [], sector: [], type: [], ipMode: [], problem: [], q: "" };
}

/** Value shown for an empty field, so it can be filtered on too. */
export const NONE = "(none)";

export function facetValues(row: BoardRow, facet: Facet): readonly string[] {
  switch (facet) {
    case "state":
      return [row.state];
    case "sector":
      return [row.sector || NONE];
    case "type":
      return [row.type || NONE];
    case "ipMode":
      return [row.ipMode || NONE];
    case "problem":
      return row.problemCodes.length > 0 ? row.problemCodes : [NONE];
  }
}

function facetOk(row: BoardRow, facet: Facet, selected: readonly string[]): boolean {
  if (selected.length === 0) return true;
  return facetValues(row, facet).some((v) => selected.includes(v));
}

/** Free text: every whitespace-separated term must occur in hostname, EPICS name, IP, id or PV prefix. */
export function textOk(row: BoardRow, terms: readonly string[]): boolean {
  for (const t of terms) if (!row.haystack.includes(t)) return false;
  return true;
}

export function searchTerms(q: string): string[] {
  return q.toLowerCase().split(/\s+/).filter(Boolean);
}

export function filterRows(rows: readonly BoardRow[], f: BoardFilter): BoardRow[] {
  const terms = searchTerms(f.q);
  return rows.filter((r) => textOk(r, terms) && FACETS.every((k) => facetOk(r, k, f[k])));
}

export type FacetCounts = Record<Facet, Map<string, number>>;

/**
 * Counts per facet value, each facet counted over the rows that pass every *other* facet and
 * the search (the usual faceted-search rule: picking a state does not zero the other states).
 * One pass over the rows.
 */
export function facetCounts(rows: readonly BoardRow[], f: BoardFilter): FacetCounts {
  const out = Object.fromEntries(FACETS.map((k) => [k, new Map<string, number>()])) as FacetCounts;
  const terms = searchTerms(f.q);
  for (const r of rows) {
    if (!textOk(r, terms)) continue;
    let failed: Facet | null = null;
    let fails = 0;
    for (const k of FACETS) {
      if (!facetOk(r, k, f[k])) {
        failed = k;
        if (++fails > 1) break;
      }
    }
    if (fails > 1) continue;
    for (const k of FACETS) {
      if (fails === 1 && k !== failed) continue;
      const m = out[k];
      for (const v of facetValues(r, k)) m.set(v, (m.get(v) ?? 0) + 1);
    }
  }
  return out;
}

export function isFilterEmpty(f: BoardFilter): boolean {
  return f.q.trim() === "" && FACETS.every((k) => f[k].length === 0);
}

export function toggleValue(f: BoardFilter, facet: Facet, value: string): BoardFilter {
  const cur = f[facet];
  return { ...f, [facet]: cur.includes(value) ? cur.filter((v) => v !== value) : [...cur, value] };
}
