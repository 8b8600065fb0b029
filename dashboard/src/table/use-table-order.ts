import { onScopeDispose, shallowRef, watch, type Ref, type ShallowRef } from "vue";
import type { BoardRow } from "./board-row.js";
import { facetCounts, filterRows, type BoardFilter, type FacetCounts } from "./filters.js";
import { sortRows, type SortSpec } from "./sort.js";

/**
 * Filtered + sorted keys and facet counts of the boards table. Re-computed at once when the
 * filter or sort changes, and at most every `everyMs` while boards update: the order of 10,000
 * rows need not change 60 times a second, while the visible cells stay live.
 */
export function useTableOrder(rows: Ref<readonly BoardRow[]>, filter: Ref<BoardFilter>, sort: Ref<SortSpec>, everyMs = 500) {
  const keys: ShallowRef<readonly string[]> = shallowRef([]);
  const counts: ShallowRef<FacetCounts | null> = shallowRef(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  const compute = () => {
    timer = null;
    last = Date.now();
    keys.value = sortRows(filterRows(rows.value, filter.value), sort.value).map((r) => r.key);
    counts.value = facetCounts(rows.value, filter.value);
  };
  watch([filter, sort], compute, { immediate: true });
  watch(rows, (r, old) => {
    if (r.length !== old.length && Date.now() - last > 100) return compute();
    if (timer === null) timer = setTimeout(compute, Math.max(0, everyMs - (Date.now() - last)));
  });
  onScopeDispose(() => {
    if (timer !== null) clearTimeout(timer);
  });
  return { keys, counts };
}
