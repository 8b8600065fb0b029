import type { LegacyBoard } from "./legacy-board.js";
import { isIpv4, legacyHostname } from "./legacy-board.js";
import { sectorFromBbbread } from "./sector-names.js";

/** A board hash key `BBB:<ip>:<hostname>`; its `:Command` and `:Logs` companions are not boards. */
export function parseBbbreadKey(key: string): { ip: string; hostname: string } | null {
  if (!key.startsWith("BBB:") || key.length > 300) return null;
  const rest = key.slice(4);
  const colon = rest.indexOf(":");
  if (colon < 0) return null;
  const ip = rest.slice(0, colon);
  const host = rest.slice(colon + 1);
  if (!isIpv4(ip) || host.includes(":")) return null;
  const hostname = legacyHostname(host);
  return hostname ? { ip, hostname } : null;
}

export const commandKey = (key: string) => `${key}:Command`;
export const logsKey = (key: string) => `${key}:Logs`;

/** Where a re-keyed board went: the client leaves `state_string="BBB:<ip>:<host>"`, the old monitor `Moved - …`. */
export function movedTo(fields: Readonly<Record<string, string>>): string | null {
  const s = (fields.state_string ?? "").trim();
  if (s.startsWith("BBB:")) return s;
  if (s.startsWith("Moved - ")) return s.slice("Moved - ".length).trim();
  return null;
}

const pct = (s: string | undefined): number | undefined => {
  const m = /^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*$/.exec(s ?? "");
  const n = m ? Number(m[1]) : NaN;
  return n >= 0 && n <= 100 ? n : undefined;
};

/**
 * A bbbread board hash in our terms (docs/legacy-protocols.md "bbbread hash"). The key names
 * the board; fields refine it. Null for keys that are not a live board (bad key, moved).
 */
export function parseBbbreadHash(key: string, fields: Readonly<Record<string, string>>): LegacyBoard | null {
  const k = parseBbbreadKey(key);
  if (!k || movedTo(fields) !== null) return null;
  const b: LegacyBoard = { agent: "bbbread", ip: k.ip, hostname: k.hostname };
  const mode = fields.ip_type?.trim();
  if (mode === "manual" || mode === "dhcp") b.ipMode = mode;
  const ns = (fields.nameservers ?? "").split(/[,\s]+/).filter(isIpv4);
  if (ns.length > 0) b.nameservers = ns.slice(0, 8);
  if (fields.sector !== undefined && fields.sector.trim() !== "")
    b.claimedSector = sectorFromBbbread(fields.sector).slice(0, 64);
  const type = /^\s*(\d{1,3})\s*$/.exec(fields.type ?? "");
  if (type) b.typeCode = Number(type[1]);
  if (fields.details !== undefined) {
    const baud = /\tbaudrate=(\d{1,9})/.exec(fields.details);
    if (baud) b.baudrate = Number(baud[1]);
    b.details = fields.details
      .replace(/\tbaudrate=\d{1,9}/, "")
      .trim()
      .slice(0, 256);
  }
  const disk = pct(fields.disk_usage);
  if (disk !== undefined) b.diskUsedPct = disk;
  return b;
}
