import { NODES_CSV_COLUMNS, buildSectorIndex, type Node, type Sector } from "@bbb/shared";
import { nodeFields } from "./node-fields.js";
import { derivedNet } from "./node-net.js";
import { escapeFormula } from "./formula-cells.js";
import { csvLine } from "./parse-csv.js";

/**
 * Nodes as CSV (header NODES_CSV_COLUMNS), sorted by hostname. Netmask and gateway are left
 * empty where the sector table derives the same values, so the file stays the short form an
 * operator edits and imports back unchanged.
 */
export function exportNodesCsv(nodes: Iterable<Node>, sectors: readonly Sector[]): { csv: string; count: number } {
  const index = buildSectorIndex(sectors);
  const byName = new Map(sectors.map((s) => [s.name, s]));
  const lines = [csvLine(NODES_CSV_COLUMNS)];
  const list = [...nodes].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
  for (const n of list) {
    const f: Record<string, string> = { hostname: n.hostname, ...nodeFields(n) };
    if (n.ip.mode === "manual") {
      const d = derivedNet(n.ip.ip, n.sector !== null ? (byName.get(n.sector) ?? null) : null, index);
      if (d && d.netmask === n.ip.netmask && d.gateway === n.ip.gateway) {
        f.netmask = "";
        f.gateway = "";
      }
    }
    lines.push(csvLine(NODES_CSV_COLUMNS.map((c) => escapeFormula(f[c] ?? ""))));
  }
  return { csv: lines.join("\n") + "\n", count: list.length };
}
