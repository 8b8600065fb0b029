import { STATE_SEVERITY, type HostView } from "@bbb/shared";
import { displayName } from "../health/fleet-stats.js";
import type { TableColumn } from "./column-sort.js";

// Columns the board lists of the health and inventory views share; the views fill the cells of
// "board" (a link) and "state" (a badge) through the table's slots.
export const boardColumn: TableColumn<HostView> = { key: "board", label: "Board", value: displayName };
/** Ordered as the boards table orders states: the worst first. */
export const stateColumn: TableColumn<HostView> = {
  key: "state",
  label: "State",
  value: (h) => STATE_SEVERITY[h.state],
};
export const sectorColumn: TableColumn<HostView> = { key: "sector", label: "Sector", value: (h) => h.sector };
export const hostKey = (h: HostView): string => h.id;
