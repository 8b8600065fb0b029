import { inventoryValue, type HostView, type Inventory } from "@bbb/shared";
import { displayName } from "../health/fleet-stats.js";

/** Columns of the inventory view and its CSV export (docs/protocol.md §"Inventory"). */
export const INVENTORY_COLUMNS = ["kernel", "image", "debian", "overlays", "uEnv", "node", "agent", "storage"] as const;
export type InventoryColumn = (typeof INVENTORY_COLUMNS)[number];

/** Shown for a board that has not sent an inventory (or lacks the field): it can be filtered on too. */
export const NO_VALUE = "(none)";

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export function inventoryCell(inv: Inventory | null | undefined, col: InventoryColumn): string {
  if (!inv) return NO_VALUE;
  let v: string;
  if (col === "uEnv") v = inv.uEnv.join("; ");
  else if (col === "storage") v = inv.storage.map((s) => `${s.kind} ${gib(s.bytes)}`).join(", ");
  else v = inventoryValue(inv, col);
  return v === "" ? NO_VALUE : v;
}

/** Boards per value of a column, most common first. */
export function valueCounts(hosts: Iterable<HostView>, col: InventoryColumn): { value: string; count: number }[] {
  const m = new Map<string, number>();
  for (const h of hosts) {
    const v = inventoryCell(h.inventory, col);
    m.set(v, (m.get(v) ?? 0) + 1);
  }
  return [...m.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

export function boardsWith(hosts: Iterable<HostView>, col: InventoryColumn, value: string): HostView[] {
  return [...hosts]
    .filter((h) => inventoryCell(h.inventory, col) === value)
    .sort((a, b) => displayName(a).localeCompare(displayName(b)));
}

/**
 * RFC 4180 quoting; a cell starting with = + - @ (or a tab / CR) is prefixed with ' so a
 * spreadsheet shows it as text instead of running it as a formula.
 */
export function csvCell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function inventoryCsv(hosts: Iterable<HostView>): string {
  const header = ["id", "name", "state", "sector", "type", ...INVENTORY_COLUMNS];
  const rows = [...hosts]
    .filter((h) => h.id !== "")
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((h) => [
      h.id,
      displayName(h),
      h.state,
      h.sector ?? "",
      h.heartbeat?.type ?? h.node?.type ?? "",
      ...INVENTORY_COLUMNS.map((c) => (h.inventory ? inventoryCell(h.inventory, c) : "")),
    ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
