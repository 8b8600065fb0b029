import { cidrContains, parseCidr, parseIpv4, type Cidr } from "./net.js";
import type { Sector } from "./schemas/registry.js";

/** Name of the catch-all sector: a board whose IP lies in no listed CIDR belongs here. */
export const FALLBACK_SECTOR = "Outros";

/** The Sirius sector table shipped as default data (the sector CIDRs of the Sirius control network; docs/protocol.md §"Nodes as CSV"). */
export function defaultSectors(): Sector[] {
  const out: Sector[] = [{ name: "1", cidrs: ["10.128.10.0/25", "10.128.10.128/25"] }];
  for (let s = 2; s <= 19; s++) out.push({ name: String(s), cidrs: [`10.128.${s * 10}.0/24`] });
  out.push({ name: "20", cidrs: ["10.128.200.0/25", "10.128.200.128/25"] });
  out.push({ name: "Conectividade", cidrs: ["10.128.0.0/24"] });
  out.push({ name: "LINAC", cidrs: ["10.128.1.0/25", "10.128.1.128/25"] });
  out.push({ name: "RF", cidrs: ["10.128.25.0/26", "10.128.25.64/26", "10.128.25.128/25"] });
  out.push({
    name: "Fontes",
    cidrs: ["10.128.75.0/27", "10.128.75.32/27", "10.128.75.64/27", "10.128.75.128/27", "10.128.75.160/27"],
  });
  out.push({ name: FALLBACK_SECTOR, cidrs: [] });
  return out;
}

export interface SectorIndex {
  /** The sector of an IP (longest prefix wins), the fallback sector, or null for a non-IP. */
  sectorOf(ip: string): string | null;
  /** The CIDR an IP falls in, for netmask / gateway pre-filling. */
  cidrOf(ip: string): Cidr | null;
}

export function buildSectorIndex(sectors: readonly Sector[]): SectorIndex {
  const entries: { cidr: Cidr; name: string }[] = [];
  for (const s of sectors) {
    for (const c of s.cidrs) {
      const cidr = parseCidr(c);
      if (cidr) entries.push({ cidr, name: s.name });
    }
  }
  entries.sort((a, b) => b.cidr.prefix - a.cidr.prefix);
  const fallback = sectors.some((s) => s.name === FALLBACK_SECTOR) ? FALLBACK_SECTOR : null;
  const find = (ip: string) => {
    const n = parseIpv4(ip);
    if (n === null) return undefined;
    return entries.find((e) => cidrContains(e.cidr, n)) ?? null;
  };
  return {
    sectorOf(ip) {
      const e = find(ip);
      if (e === undefined) return null;
      return e === null ? fallback : e.name;
    },
    cidrOf(ip) {
      return find(ip)?.cidr ?? null;
    },
  };
}
