import { buildSectorIndex, type Sector } from "@bbb/shared";
import { computed, inject, onScopeDispose, shallowRef, watch, type ComputedRef, type InjectionKey, type Ref, type ShallowRef } from "vue";
import { buildRows, type BoardRow, type SectorOf } from "../table/board-row.js";
import { aggregate, mapOrder, type Aggregates } from "./derived.js";
import type { FleetStore } from "./fleet-store.js";

export interface FleetView {
  /** Every board and board-less node as a table row; evaluated only where read (the table, re-sorts). */
  rows: ComputedRef<BoardRow[]>;
  /** Totals and sector tiles, recomputed per frame in one pass over the maps. */
  aggregates: ComputedRef<Aggregates>;
  /** Keys in map order; re-sorted soon after boards come or go, otherwise at most every 5 s. */
  mapKeys: ShallowRef<readonly string[]>;
  /** Sector of each key of mapKeys (same index), as of the same re-sort. */
  mapSectors: ShallowRef<readonly string[]>;
  /** Sector of an IP from the current sector table (nodes without a sector of their own). */
  sectorOf: ComputedRef<SectorOf>;
}

/**
 * Views of the store shared by the overview, the map and the table, built once per session.
 * Nothing here walks 10,000 row objects per frame unless a table is on screen.
 */
export function createFleetView(store: FleetStore, resortMs = 5000, sectors?: Ref<readonly Sector[]>): FleetView {
  const sectorOf = computed<SectorOf>(() => {
    const idx = buildSectorIndex(sectors?.value ?? []);
    return (ip) => idx.sectorOf(ip);
  });
  const rows = computed(() => buildRows(store.state.value.hosts, store.state.value.nodes, sectorOf.value));
  const aggregates = computed(() => aggregate(store.state.value.hosts, store.state.value.nodes, sectorOf.value));
  const mapKeys = shallowRef<readonly string[]>([]);
  const mapSectors = shallowRef<readonly string[]>([]);
  let lastSort = 0;
  let sortedHosts: unknown = null;
  let pending: ReturnType<typeof setTimeout> | null = null;

  const resort = () => {
    pending = null;
    lastSort = Date.now();
    sortedHosts = store.state.value.hosts;
    const ordered = mapOrder(rows.value);
    mapKeys.value = ordered.map((r) => r.key);
    mapSectors.value = ordered.map((r) => r.sector || "(none)");
  };
  const schedule = (ms: number) => {
    if (pending !== null) clearTimeout(pending);
    pending = setTimeout(resort, Math.max(0, ms - (Date.now() - lastSort)));
  };
  // Boards coming or going: re-sort within 250 ms (a snapshot streaming in re-sorts 4 times a second).
  watch(() => store.state.value.hosts.size + store.state.value.nodes.size, () => schedule(250), { immediate: true });
  // A hostname or sector may change at any update: pick that up every `resortMs`.
  const periodic = setInterval(() => {
    if (store.state.value.hosts !== sortedHosts && pending === null) resort();
  }, resortMs);
  onScopeDispose(() => {
    if (pending !== null) clearTimeout(pending);
    clearInterval(periodic);
  });
  return { rows, aggregates, mapKeys, mapSectors, sectorOf };
}

export const FleetViewKey: InjectionKey<FleetView> = Symbol("fleet-view");

export function useFleetView(): FleetView {
  const v = inject(FleetViewKey);
  if (!v) throw new Error("useFleetView() outside the shell");
  return v;
}
