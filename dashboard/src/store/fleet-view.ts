import { computed, inject, onScopeDispose, shallowRef, watch, type ComputedRef, type InjectionKey, type ShallowRef } from "vue";
import { buildRows, type BoardRow } from "../table/board-row.js";
import { mapOrder, sectorTiles, totalsByState, type SectorTile } from "./derived.js";
import type { FleetStore } from "./fleet-store.js";

export interface FleetView {
  rows: ComputedRef<BoardRow[]>;
  tiles: ComputedRef<SectorTile[]>;
  totals: ComputedRef<ReturnType<typeof totalsByState>>;
  /** Keys in map order; re-sorted only when boards come or go, or at most every 5 s. */
  mapKeys: ShallowRef<readonly string[]>;
}

/**
 * Views of the store shared by the overview, the map and the table: built once per session
 * so 10,000 rows are flattened once per frame, not once per component.
 */
export function createFleetView(store: FleetStore, resortMs = 5000): FleetView {
  const rows = computed(() => buildRows(store.state.value.hosts, store.state.value.nodes));
  const tiles = computed(() => sectorTiles(rows.value));
  const totals = computed(() => totalsByState(rows.value));
  const mapKeys = shallowRef<readonly string[]>([]);
  let lastSort = 0;
  let pending: ReturnType<typeof setTimeout> | null = null;
  const resort = () => {
    pending = null;
    lastSort = Date.now();
    mapKeys.value = mapOrder(rows.value).map((r) => r.key);
  };
  watch(rows, (r, old) => {
    if (r.length !== (old?.length ?? -1)) return resort();
    if (pending === null) pending = setTimeout(resort, Math.max(0, resortMs - (Date.now() - lastSort)));
  }, { immediate: true });
  onScopeDispose(() => {
    if (pending !== null) clearTimeout(pending);
  });
  return { rows, tiles, totals, mapKeys };
}

export const FleetViewKey: InjectionKey<FleetView> = Symbol("fleet-view");

export function useFleetView(): FleetView {
  const v = inject(FleetViewKey);
  if (!v) throw new Error("useFleetView() outside the shell");
  return v;
}
