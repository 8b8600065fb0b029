import { networkInterfaces } from "node:os";
import type { RootedFs } from "../../system/rooted-fs.js";
import { RESOLV_CONF } from "./resolv-conf.js";
import type { InterfacesFn } from "./types.js";

/** The kernel's main routing table, one row per route (what `ip route show` lists, in hex). */
export const PROC_NET_ROUTE = "/proc/net/route";

/**
 * What the `ip` backend's read() answers from, without starting a process: the interface's
 * IPv4 addresses and netmasks (os.networkInterfaces(), the netlink dump the heartbeat's address
 * takes anyway), its rows of the main routing table (/proc/net/route, whose default row holds the
 * gateway) and /etc/resolv.conf (its nameservers). Equal signs mean the same address, netmask,
 * gateway and nameservers; the one thing no file shows is whether the address is `dynamic`
 * (a DHCP lease's lifetime), which heartbeat/net-facts.ts catches with LIVE_MAX_AGE_MS.
 * null when /proc/net/route cannot be read: nothing tells of a change.
 */
export function ipLiveSign(fs: RootedFs, iface: string, interfaces: InterfacesFn = networkInterfaces): string | null {
  const routes = fs.tryReadSmallSync(PROC_NET_ROUTE, 16 * 1024);
  if (routes === null) return null;
  const rows = routes.split("\n").filter((l) => l.startsWith(`${iface}\t`));
  const addrs = (interfaces()[iface] ?? []).filter((a) => a.family === "IPv4").map((a) => `${a.address}/${a.netmask}`);
  const resolv = fs.tryReadSmallSync(RESOLV_CONF, 8192) ?? "";
  return [addrs.join(" "), ...rows, resolv].join("\n");
}
