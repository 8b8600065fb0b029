import {
  MAX_NODES_CSV_ROWS,
  buildSectorIndex,
  type BoardType,
  type Node,
  type NodesImportResult,
  type Sector,
} from "@bbb/shared";
import { mapColumns } from "./node-columns.js";
import { nodeChanges } from "./node-fields.js";
import { rowToNode, type RowContext } from "./node-row.js";
import { unescapeFormula } from "./formula-cells.js";
import { parseCsv } from "./parse-csv.js";

export interface ImportPlan {
  report: Omit<NodesImportResult, "dryRun" | "applied">;
  /** Nodes to write (added and changed); empty when any row is bad. */
  upserts: Node[];
  /** Hostnames to remove (replace only). */
  removals: string[];
}

export interface RegistryView {
  nodes: ReadonlyMap<string, Node>;
  types: ReadonlyMap<string, BoardType>;
  sectors: readonly Sector[];
}

/**
 * What importing a nodes CSV would do to the registry (docs/protocol.md §"Nodes as CSV"): every row checked (columns,
 * types, sectors, subnet, duplicate hostnames, board ids and addresses), with the fields that
 * would change. Pure: applying it is the caller's business, and only when `errors` is empty.
 */
export function planNodesImport(csv: string, opts: { replace: boolean }, reg: RegistryView): ImportPlan {
  const report: ImportPlan["report"] = {
    replace: opts.replace,
    rows: 0,
    counts: { added: 0, changed: 0, unchanged: 0, removed: 0, errors: 0 },
    added: [],
    changed: [],
    unchanged: [],
    removed: [],
    errors: [],
  };
  const done = (): ImportPlan => {
    report.counts = {
      added: report.added.length,
      changed: report.changed.length,
      unchanged: report.unchanged.length,
      removed: report.removed.length,
      errors: report.errors.length,
    };
    return { report, upserts: [], removals: [] };
  };
  const parsed = parseCsv(csv, MAX_NODES_CSV_ROWS + 1);
  if (!parsed.ok) {
    report.errors.push({ line: parsed.line, hostname: null, message: parsed.message });
    return done();
  }
  const [header, ...rows] = parsed.rows;
  if (!header) {
    report.errors.push({ line: 0, hostname: null, message: "empty CSV: a header row is required" });
    return done();
  }
  const cols = mapColumns(header.fields);
  if (!cols.ok) {
    report.errors.push({ line: header.line, hostname: null, message: cols.message });
    return done();
  }
  report.rows = rows.length;
  const ctx: RowContext = {
    types: new Set(reg.types.keys()),
    sectors: new Map(reg.sectors.map((s) => [s.name, s])),
    sectorIndex: buildSectorIndex(reg.sectors),
    existing: (h) => reg.nodes.get(h),
  };

  const byHost = new Map<string, { line: number; node: Node }>();
  const byBoard = new Map<string, number>();
  const byIp = new Map<string, number>();
  for (const row of rows) {
    if (row.fields.length > header.fields.length) {
      report.errors.push({
        line: row.line,
        hostname: null,
        message: `${row.fields.length} fields, the header has ${header.fields.length}`,
      });
      continue;
    }
    const r = rowToNode(cols.columns, row.fields.map(unescapeFormula), ctx);
    if (!r.ok) {
      report.errors.push({ line: row.line, hostname: r.hostname, message: r.message });
      continue;
    }
    const n = r.node;
    const dup = (what: string, other: number) =>
      report.errors.push({ line: row.line, hostname: n.hostname, message: `${what} also on line ${other}` });
    const h = byHost.get(n.hostname);
    if (h) {
      dup(`hostname ${n.hostname}`, h.line);
      continue;
    }
    byHost.set(n.hostname, { line: row.line, node: n });
    const b = n.boardId !== null ? byBoard.get(n.boardId) : undefined;
    if (b !== undefined) dup(`board ${n.boardId}`, b);
    else if (n.boardId !== null) byBoard.set(n.boardId, row.line);
    const ip = n.ip.mode === "manual" ? n.ip.ip : null;
    const i = ip !== null ? byIp.get(ip) : undefined;
    if (i !== undefined) dup(`ip ${ip}`, i);
    else if (ip !== null) byIp.set(ip, row.line);
  }

  // Nodes the import leaves alone keep their addresses: a row must not take one of them.
  const kept = opts.replace ? [] : [...reg.nodes.values()].filter((n) => !byHost.has(n.hostname));
  const keptIp = new Map(kept.flatMap((n) => (n.ip.mode === "manual" ? [[n.ip.ip, n.hostname] as const] : [])));
  for (const [hostname, { line, node }] of byHost) {
    const ip = node.ip.mode === "manual" ? node.ip.ip : null;
    const other = ip !== null ? keptIp.get(ip) : undefined;
    if (other !== undefined) report.errors.push({ line, hostname, message: `ip ${ip} is node ${other}'s` });
    const before = reg.nodes.get(hostname);
    if (!before) report.added.push({ line, hostname });
    else {
      const fields = nodeChanges(before, node);
      if (fields.length > 0) report.changed.push({ line, hostname, fields });
      else report.unchanged.push({ line, hostname });
    }
  }
  if (opts.replace) for (const h of reg.nodes.keys()) if (!byHost.has(h)) report.removed.push({ hostname: h });
  report.errors.sort((a, b) => a.line - b.line);
  const plan = done();
  if (report.errors.length > 0) return plan;
  const write = new Set([...report.added, ...report.changed].map((r) => r.hostname));
  plan.upserts = [...byHost.values()].filter((x) => write.has(x.node.hostname)).map((x) => x.node);
  plan.removals = report.removed.map((r) => r.hostname);
  return plan;
}
