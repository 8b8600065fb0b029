import type { NetworkInterfaceInfo } from "node:os";
import type { CaEndpoint } from "./ca-search.js";

/**
 * Where CA searches go, as libca decides it (docs/epics.md §"Channel Access"): each
 * EPICS_CA_ADDR_LIST entry (`ip` or `ip:port`, the server port when none is given) and, when
 * the auto list is on, the broadcast address of every up, non-loopback IPv4 interface plus
 * 127.0.0.1 (the board's own IOC). Duplicates dropped.
 */
export function caDestinations(opts: {
  addrList: readonly string[];
  autoAddrList: boolean;
  serverPort: number;
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>;
}): CaEndpoint[] {
  const out = new Map<string, CaEndpoint>();
  const add = (host: string, port: number) => out.set(`${host}:${port}`, { host, port });
  for (const a of opts.addrList) {
    const [host = "", port] = a.split(":");
    add(host, port === undefined ? opts.serverPort : Number(port));
  }
  if (opts.autoAddrList) {
    add("127.0.0.1", opts.serverPort);
    for (const list of Object.values(opts.interfaces)) {
      for (const i of list ?? []) {
        if (i.family !== "IPv4" || i.internal) continue;
        const b = broadcastOf(i.address, i.netmask);
        if (b !== null) add(b, opts.serverPort);
      }
    }
  }
  return [...out.values()];
}

function broadcastOf(address: string, netmask: string): string | null {
  const a = address.split(".").map(Number);
  const m = netmask.split(".").map(Number);
  if (a.length !== 4 || m.length !== 4 || [...a, ...m].some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return null;
  return a.map((x, i) => (x | (~(m[i] ?? 0) & 255)) & 255).join(".");
}
