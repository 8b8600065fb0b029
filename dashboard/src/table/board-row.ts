import { heartbeatPvPrefixes, hostnameToEpics, type BoardState, type HostView, type NodeView, type Problem } from "@bbb/shared";

/** One line of the boards table: a host view flattened to what columns, filters and sorting read. */
export interface BoardRow {
  /** Board id, or "node:<hostname>" for a registered node with no board. */
  key: string;
  id: string;
  hostname: string;
  /** The EPICS form operators know (`--` on the board is `:`, docs/protocol.md §"Identifiers"). */
  epics: string;
  ip: string;
  type: string;
  sector: string;
  state: BoardState;
  since: number;
  lastSeen: number | null;
  uptime: number | null;
  load1: number | null;
  tempC: number | null;
  projectRevision: string;
  pvPrefix: string;
  agentVersion: string;
  ipMode: string;
  /** What speaks for the board (bbb-agent, or a legacy daemon's bridge); "" for a node with no board. */
  agent: string;
  problemCodes: readonly string[];
  /** The first problem in words: "ip: 10.0.0.9 → 10.0.0.5" (expected → actual), or the conflict. */
  problem: string;
  flapping: boolean;
  /** Natural-order sort keys (digit runs padded), computed once per update: sorting 10,000 rows must not call a collator. */
  hostKey: string;
  sectorKey: string;
  /** Lower-case haystack of the free-text search: hostname, EPICS name, IP, id, PV prefixes. */
  haystack: string;
}

const cache = new WeakMap<object, BoardRow>();

/** One problem as a table cell: the field with expected → actual, or the other boards of a conflict. */
export function problemText(p: Problem | undefined): string {
  if (!p) return "";
  if (p.code === "mismatch") return `${p.field ?? "?"}: ${p.expected ?? "—"} → ${p.actual ?? "—"}`;
  if (p.with?.length) return `${p.field ?? p.code} ${p.actual ?? ""} also on ${p.with.join(", ")}`.replace(/\s+/g, " ");
  return p.message;
}

/** Lower-case with digit runs zero-padded: plain string comparison then sorts "Srv-2" before "Srv-10". */
export function naturalKey(s: string): string {
  return s.toLowerCase().replace(/\d+/g, (d) => d.padStart(10, "0"));
}

export function rowOfHost(v: HostView): BoardRow {
  const hit = cache.get(v);
  if (hit) return hit;
  const hb = v.heartbeat;
  const node = v.node;
  const hostname = hb?.hostname ?? node?.hostname ?? "";
  const pv = hb ? heartbeatPvPrefixes(hb) : (node?.pvPrefixes ?? []);
  const ip = hb?.ip ?? (node?.ip.mode === "manual" ? node.ip.ip : "");
  const problemCodes = [...new Set(v.problems.map((p) => p.code))];
  if (v.flapping && !problemCodes.includes("flapping")) problemCodes.push("flapping");
  const row: BoardRow = {
    key: v.id,
    id: v.id,
    hostname,
    epics: hostnameToEpics(hostname),
    ip,
    type: hb?.type ?? node?.type ?? "",
    sector: v.sector ?? node?.sector ?? "",
    state: v.state,
    since: v.stateSince,
    lastSeen: v.lastSeen,
    uptime: hb?.uptime ?? null,
    load1: hb?.load1 ?? null,
    tempC: hb?.tempC ?? null,
    projectRevision: hb?.projectRevision ?? "",
    pvPrefix: pv.join(" "),
    agentVersion: hb?.agentVersion ?? "",
    ipMode: hb?.ipMode ?? node?.ip.mode ?? "",
    agent: isBoardless(v.state) ? "" : v.agent,
    problemCodes,
    problem: problemText(v.problems[0]),
    flapping: v.flapping,
    hostKey: naturalKey(hostname),
    sectorKey: naturalKey(v.sector ?? node?.sector ?? ""),
    haystack: `${hostname} ${hostnameToEpics(hostname)} ${ip} ${v.id} ${pv.join(" ")}`.toLowerCase(),
  };
  cache.set(v, row);
  return row;
}

/** Sector of an IP from the sector table (a node with no sector of its own is placed by its IP, as the server does). */
export type SectorOf = (ip: string) => string | null;
const noSector: SectorOf = () => null;

export function rowOfMissingNode(n: NodeView, sectorOf: SectorOf = noSector): BoardRow {
  const hit = cache.get(n);
  if (hit) return hit;
  const node = n.node;
  const ip = node.ip.mode === "manual" ? node.ip.ip : "";
  const sector = node.sector ?? (ip ? sectorOf(ip) : null) ?? "";
  const row: BoardRow = {
    key: `node:${node.hostname}`,
    id: n.boardId ?? "",
    hostname: node.hostname,
    epics: hostnameToEpics(node.hostname),
    ip,
    type: node.type,
    sector,
    state: n.state,
    since: 0,
    lastSeen: null,
    uptime: null,
    load1: null,
    tempC: null,
    projectRevision: "",
    pvPrefix: node.pvPrefixes.join(" "),
    agentVersion: "",
    ipMode: node.ip.mode,
    agent: "",
    problemCodes: [],
    problem: "",
    flapping: false,
    hostKey: naturalKey(node.hostname),
    sectorKey: naturalKey(sector),
    haystack: `${node.hostname} ${hostnameToEpics(node.hostname)} ${ip} ${n.boardId ?? ""} ${node.pvPrefixes.join(" ")}`.toLowerCase(),
  };
  cache.set(n, row);
  return row;
}

/** A node with no board: `missing`, or `spare` for a spare slot (docs/protocol.md §"Registry states"). */
export const isBoardless = (s: BoardState): boolean => s === "missing" || s === "spare";

/** Every board, plus every registered node whose board is not connected (state `missing` or `spare`). */
export function buildRows(hosts: ReadonlyMap<string, HostView>, nodes: ReadonlyMap<string, NodeView>, sectorOf: SectorOf = noSector): BoardRow[] {
  const rows: BoardRow[] = [];
  for (const v of hosts.values()) rows.push(rowOfHost(v));
  for (const n of nodes.values()) {
    if (isBoardless(n.state) && (n.boardId === null || !hosts.has(n.boardId))) rows.push(rowOfMissingNode(n, sectorOf));
  }
  return rows;
}
