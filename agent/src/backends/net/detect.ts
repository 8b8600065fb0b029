import type { NetBackendName } from "../../config/schema.js";
import type { RootedFs } from "../../system/rooted-fs.js";
import { createConnmanBackend } from "./connman.js";
import { createIfupdownBackend } from "./ifupdown.js";
import { createIpBackend } from "./ip.js";
import { createNetworkdBackend, NETWORKD_DIR } from "./networkd.js";
import type { InterfacesFn, NetBackend, NetBackendKind } from "./types.js";

/**
 * Which network manager owns the interface, from what the root prefix contains (
 * Debian 10 → connman, 11/12 → systemd-networkd, very old → ifupdown; else plain `ip`).
 */
export async function detectNetBackend(fs: RootedFs, iface: string): Promise<NetBackendKind> {
  const connmand = (await fs.exists("/usr/sbin/connmand")) || (await fs.exists("/usr/bin/connmanctl"));
  if (connmand && (await fs.exists("/var/lib/connman"))) return "connman";
  const networkdEnabled = await fs.exists("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service");
  const networkFiles = (await fs.readdir(NETWORKD_DIR)).some((n) => n.endsWith(".network"));
  if (networkdEnabled || networkFiles) return "networkd";
  const interfaces = await fs.tryReadText("/etc/network/interfaces");
  if (interfaces !== null && new RegExp(`^\\s*iface\\s+${iface}\\s+inet\\s`, "m").test(interfaces)) return "ifupdown";
  return "ip";
}

export async function createNetBackend(
  fs: RootedFs,
  iface: string,
  configured: NetBackendName,
  /** Live interface addresses (the `ip` backend's sign of change); default os.networkInterfaces. */
  interfaces?: InterfacesFn,
): Promise<NetBackend> {
  const kind = configured === "auto" ? await detectNetBackend(fs, iface) : configured;
  const deps = { fs, iface };
  switch (kind) {
    case "connman":
      return createConnmanBackend(deps);
    case "networkd":
      return createNetworkdBackend(deps);
    case "ifupdown":
      return createIfupdownBackend(deps);
    case "ip":
      return createIpBackend(interfaces ? { ...deps, interfaces } : deps);
  }
}
