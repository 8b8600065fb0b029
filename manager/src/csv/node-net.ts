import {
  firstHost,
  networkOf,
  netmaskToPrefix,
  parseCidr,
  parseIpv4,
  prefixToNetmask,
  type Cidr,
  type Sector,
  type SectorIndex,
} from "@bbb/shared";

/**
 * The subnet of an address from the sector table: within the named sector's CIDRs when a
 * sector is given, else the most specific CIDR of any sector (docs/protocol.md §"Nodes as CSV": a
 * board's sector follows from its IP by CIDR containment).
 */
export function cidrFor(ip: string, sector: Sector | null, index: SectorIndex): Cidr | null {
  const n = parseIpv4(ip);
  if (n === null) return null;
  if (sector === null) return index.cidrOf(ip);
  let best: Cidr | null = null;
  for (const s of sector.cidrs) {
    const c = parseCidr(s);
    if (c && networkOf(n, c.prefix) === c.network && (best === null || c.prefix > best.prefix)) best = c;
  }
  return best;
}

/** Netmask and gateway of an address by the fleet's convention: gateway = the subnet's first address. */
export function derivedNet(
  ip: string,
  sector: Sector | null,
  index: SectorIndex,
): { netmask: string; gateway: string } | null {
  const c = cidrFor(ip, sector, index);
  return c ? { netmask: prefixToNetmask(c.prefix), gateway: firstHost(c) } : null;
}

/** The gateway by convention for an explicit netmask. */
export function gatewayFor(ip: string, netmask: string): string | null {
  const n = parseIpv4(ip);
  const p = netmaskToPrefix(netmask);
  return n === null || p === null ? null : firstHost({ network: networkOf(n, p), prefix: p });
}
