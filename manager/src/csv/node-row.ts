import { hostnameSchema, nodeSchema, type Node, type NodeInput, type Sector, type SectorIndex } from "@bbb/shared";
import { cell, type ColumnMap } from "./node-columns.js";
import { derivedNet, gatewayFor } from "./node-net.js";

/** What a row is checked against: the registry's types and sectors and the current nodes. */
export interface RowContext {
  types: ReadonlySet<string>;
  sectors: ReadonlyMap<string, Sector>;
  sectorIndex: SectorIndex;
  existing: (hostname: string) => Node | undefined;
}

export type RowOutcome = { ok: true; node: Node } | { ok: false; hostname: string | null; message: string };

const words = (s: string) => s.split(/[\s;]+/).filter((x) => x !== "");

/** The ip of a row: `dhcp`, or an address with netmask / gateway given or derived from its sector. */
function ipOf(
  ip: string,
  netmask: string,
  gateway: string,
  sector: Sector | null,
  ctx: RowContext,
): NodeInput["ip"] | string {
  if (ip.toLowerCase() === "dhcp") return { mode: "dhcp" };
  if (ip === "") return "ip: dhcp or an address";
  let mask = netmask;
  let gw = gateway;
  if (mask === "") {
    const d = derivedNet(ip, sector, ctx.sectorIndex);
    if (!d) {
      return sector
        ? `ip ${ip} lies in no CIDR of sector ${sector.name}: give netmask and gateway`
        : `ip ${ip} lies in no sector CIDR: give netmask and gateway`;
    }
    mask = d.netmask;
    if (gw === "") gw = d.gateway;
  } else if (gw === "") gw = gatewayFor(ip, mask) ?? "";
  return { mode: "manual", ip, netmask: mask, gateway: gw };
}

/**
 * One CSV row as a node (docs/protocol.md §"Nodes as CSV"). Columns the header
 * leaves out keep the current node's values; a new node needs at least hostname, ip and type.
 * Returns the reason when the row cannot be imported.
 */
export function rowToNode(columns: ColumnMap, fields: readonly string[], ctx: RowContext): RowOutcome {
  const get = (c: Parameters<typeof cell>[2]) => cell(columns, fields, c);
  const rawHost = get("hostname") ?? "";
  if (rawHost === "") return { ok: false, hostname: null, message: "hostname: empty" };
  const h = hostnameSchema.safeParse(rawHost);
  if (!h.success)
    return { ok: false, hostname: rawHost, message: `hostname: ${h.error.issues[0]?.message ?? "invalid"}` };
  const hostname = h.data;
  const fail = (message: string): RowOutcome => ({ ok: false, hostname, message });
  const base = ctx.existing(hostname);

  const type = get("type") ?? base?.type;
  if (type === undefined || type === "") return fail(base ? "type: empty" : "type: required for a new node");
  if (!ctx.types.has(type)) return fail(`type ${type} is not registered`);

  const sectorName = get("sector");
  let sector: Sector | null = null;
  if (sectorName !== undefined && sectorName !== "") {
    const s =
      ctx.sectors.get(sectorName) ??
      [...ctx.sectors.values()].find((x) => x.name.toLowerCase() === sectorName.toLowerCase());
    if (!s) return fail(`sector ${sectorName} is not registered`);
    sector = s;
  }

  let ip: NodeInput["ip"] | undefined = base?.ip;
  const ipText = get("ip");
  // The named sector must be the one the address lies in (a typo in either is caught here).
  const ipSector = ipText !== undefined && sector ? ctx.sectorIndex.sectorOf(ipText) : null;
  if (sector && ipSector !== null && ipSector !== sector.name)
    return fail(`ip ${ipText ?? ""} lies in sector ${ipSector}, not ${sector.name}`);
  if (ipText !== undefined) {
    const r = ipOf(ipText, get("netmask") ?? "", get("gateway") ?? "", sector, ctx);
    if (typeof r === "string") return fail(r);
    ip = r;
  }
  if (ip === undefined) return fail("ip: required for a new node");
  if (sector && ip.mode === "manual" && ipText === undefined) {
    const actual = ctx.sectorIndex.sectorOf(ip.ip);
    if (actual !== null && actual !== sector.name)
      return fail(`ip ${ip.ip} lies in sector ${actual}, not ${sector.name}`);
  }

  const pv = get("pv");
  const ns = get("nameservers");
  const board = get("board");
  const notes = get("notes");
  const spareText = get("spare")?.toLowerCase();
  const spare = spareText === undefined ? (base?.spare ?? false) : ["yes", "true", "1", "y"].includes(spareText) ? true : ["", "no", "false", "0", "n"].includes(spareText) ? false : null;
  if (spare === null) return fail(`spare: yes or no, not ${spareText ?? ""}`);
  const input: NodeInput = {
    hostname,
    ip,
    type,
    sector: sectorName === undefined ? (base?.sector ?? null) : (sector?.name ?? null),
    pvPrefixes: pv === undefined ? (base?.pvPrefixes ?? []) : words(pv),
    nameservers: ns === undefined ? (base?.nameservers ?? []) : words(ns),
    boardId: board === undefined ? (base?.boardId ?? null) : board === "" ? null : board.toLowerCase(),
    notes: notes === undefined ? (base?.notes ?? "") : notes,
    spare,
  };
  const r = nodeSchema.safeParse(input);
  if (!r.success) return fail(r.error.issues.map((i) => `${i.path.join(".") || "(row)"}: ${i.message}`).join("; "));
  return { ok: true, node: r.data };
}
