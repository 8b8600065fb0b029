import { NODES_CSV_COLUMNS, type NodesCsvColumn } from "@bbb/shared";

/** Header spellings people use for each column (after lower-casing and trimming). */
const ALIASES: Readonly<Record<string, NodesCsvColumn>> = {
  host: "hostname",
  "ip address": "ip",
  address: "ip",
  "pv prefix": "pv",
  "pv prefixes": "pv",
  pvprefix: "pv",
  pvprefixes: "pv",
  pv_prefix: "pv",
  "pv-prefix": "pv",
  mask: "netmask",
  gw: "gateway",
  dns: "nameservers",
  "board id": "board",
  boardid: "board",
  board_id: "board",
};

export type ColumnMap = ReadonlyMap<NodesCsvColumn, number>;

/** Column positions from the header row, or the problems with it (line 1). */
export function mapColumns(
  header: readonly string[],
): { ok: true; columns: ColumnMap } | { ok: false; message: string } {
  const columns = new Map<NodesCsvColumn, number>();
  const problems: string[] = [];
  header.forEach((raw, i) => {
    const h = raw.trim().toLowerCase();
    const col = (NODES_CSV_COLUMNS as readonly string[]).includes(h) ? (h as NodesCsvColumn) : ALIASES[h];
    if (!col) problems.push(`unknown column "${raw.trim()}"`);
    else if (columns.has(col)) problems.push(`column ${col} given twice`);
    else columns.set(col, i);
  });
  if (!columns.has("hostname")) problems.push("no hostname column");
  if (problems.length > 0)
    return { ok: false, message: `${problems.join("; ")} (columns: ${NODES_CSV_COLUMNS.join(", ")})` };
  return { ok: true, columns };
}

/** A row's value of a column: trimmed text, or undefined when the header has no such column. */
export function cell(columns: ColumnMap, fields: readonly string[], col: NodesCsvColumn): string | undefined {
  const i = columns.get(col);
  return i === undefined ? undefined : (fields[i] ?? "").trim();
}
