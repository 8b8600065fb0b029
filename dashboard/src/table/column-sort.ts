/** What a column sorts by: a number, a text (compared as people read numbers in it), or unknown. */
export type SortValue = string | number | null | undefined;

/** One column of a small sortable table: its key (the `data-sort` name), header and sort value. */
export interface TableColumn<T> {
  key: string;
  label: string;
  value: (row: T) => SortValue;
  /** Classes of each cell of the column (`num`, `mono`). */
  class?: string;
}

/** Which column orders the rows, and which way; null keeps the order the rows came in. */
export interface TableSort {
  key: string;
  desc: boolean;
}

// "h-2" before "h-10", sector "3" before "12", case ignored.
const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

function compare(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return collator.compare(String(a), String(b));
}

const unknown = (v: SortValue): v is null | undefined => v === null || v === undefined || Number.isNaN(v);

/**
 * Sorted copy. Unknown values go last whichever the direction (an operator looks for the
 * boards that report something); equal values keep the order the rows came in.
 */
export function sortByColumn<T>(
  rows: readonly T[],
  columns: readonly TableColumn<T>[],
  sort: TableSort | null,
): readonly T[] {
  const col = sort ? columns.find((c) => c.key === sort.key) : undefined;
  if (!sort || !col) return rows;
  const dir = sort.desc ? -1 : 1;
  // Array.prototype.sort is stable: ties stay in input order in both directions.
  return [...rows].sort((ra, rb) => {
    const a = col.value(ra);
    const b = col.value(rb);
    if (unknown(a) || unknown(b)) return unknown(a) === unknown(b) ? 0 : unknown(a) ? 1 : -1;
    return dir * compare(a, b);
  });
}

/** A click on a column's header: that column ascending, or the other way if it already orders (every table, the boards table too). */
export function nextSort<K extends string>(current: { key: K; desc: boolean } | null, key: K): { key: K; desc: boolean } {
  return current?.key === key ? { key, desc: !current.desc } : { key, desc: false };
}

/** The aria-sort of a column header (WAI-ARIA: only the ordering column is not "none"). */
export function ariaSort(sort: { key: string; desc: boolean } | null, key: string): "ascending" | "descending" | "none" {
  return sort?.key === key ? (sort.desc ? "descending" : "ascending") : "none";
}
