import { netmaskToPrefix, prefixToNetmask, type IpConfig } from "@bbb/shared";
import type { RootedFs } from "../../system/rooted-fs.js";
import type { Runner } from "../../system/runner.js";
import { iniValues, parseIni, renderIni, type IniSection } from "./ini.js";
import type { NetBackend, NetState } from "./types.js";

export const NETWORKD_DIR = "/etc/systemd/network";
export const NETWORKD_LEASES = "/run/systemd/netif/leases";
const MANAGED_KEYS = new Set(["DHCP", "Address", "Gateway", "DNS"]);

/** Does a [Match] Name= pattern list (shell globs, space separated) match the interface? */
export function matchesInterface(patterns: string[], iface: string): boolean {
  return patterns
    .flatMap((p) => p.split(/\s+/))
    .filter((p) => p !== "")
    .some((p) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|\\]/g, "\\$&")
          .replaceAll("*", ".*")
          .replaceAll("?", ".")}$`,
      ).test(iface),
    );
}

export function parseNetworkFile(text: string): NetState {
  const doc = parseIni(text);
  const net = doc.sections.find((s) => s.name === "Network");
  const dns = iniValues(net, "DNS")
    .flatMap((v) => v.split(/\s+/))
    .filter((s) => s !== "");
  const dhcp = iniValues(net, "DHCP")[0];
  const addr =
    iniValues(net, "Address")[0] ??
    iniValues(
      doc.sections.find((s) => s.name === "Address"),
      "Address",
    )[0];
  const gw =
    iniValues(net, "Gateway")[0] ??
    iniValues(
      doc.sections.find((s) => s.name === "Route"),
      "Gateway",
    )[0];
  if (addr) {
    const [ip, len] = addr.split("/");
    const s: NetState = { mode: "manual", nameservers: dns };
    if (ip) s.ip = ip;
    if (len && /^\d+$/.test(len)) s.netmask = prefixToNetmask(Number(len));
    if (gw) s.gateway = gw;
    return s;
  }
  if (dhcp && /^(yes|true|ipv4|both)$/i.test(dhcp)) return { mode: "dhcp", nameservers: dns };
  return { mode: "unknown", nameservers: dns };
}

/**
 * Rewrites a .network file for a new IPv4 configuration and/or nameservers: [Match], [Link] and
 * unrelated [Network] keys are kept; DHCP/Address/Gateway/DNS and [Address]/[Route] are replaced.
 */
export function renderNetworkFile(
  previous: string | null,
  iface: string,
  change: { ip?: IpConfig; nameservers?: readonly string[] },
): string {
  const doc = parseIni(previous ?? "");
  if (!doc.sections.some((s) => s.name === "Match")) doc.sections.unshift({ name: "Match", lines: [`Name=${iface}`] });
  let net = doc.sections.find((s) => s.name === "Network");
  if (!net) {
    net = { name: "Network", lines: [] };
    doc.sections.push(net);
  }
  const old = parseNetworkFile(previous ?? "");
  const keep = net.lines.filter((l) => !MANAGED_KEYS.has(/^\s*([A-Za-z0-9]+)\s*=/.exec(l)?.[1] ?? ""));
  const ip: IpConfig | null =
    change.ip ??
    (old.mode === "dhcp"
      ? { mode: "dhcp" }
      : old.mode === "manual" && old.ip && old.netmask && old.gateway
        ? { mode: "manual", ip: old.ip, netmask: old.netmask, gateway: old.gateway }
        : null);
  const lines: string[] = [];
  if (ip?.mode === "dhcp") lines.push("DHCP=ipv4");
  if (ip?.mode === "manual")
    lines.push(`Address=${ip.ip}/${netmaskToPrefix(ip.netmask) ?? 24}`, `Gateway=${ip.gateway}`);
  for (const ns of change.nameservers ?? old.nameservers) lines.push(`DNS=${ns}`);
  net.lines = [...lines, ...keep.filter((l) => l.trim() !== "")];
  const dropped = new Set(change.ip ? ["Address", "Route"] : []);
  const sections: IniSection[] = doc.sections.filter((s) => !dropped.has(s.name));
  return renderIni({ head: doc.head, sections });
}

/** Debian 11/12 images: systemd-networkd. */
export function createNetworkdBackend(deps: { fs: RootedFs; iface: string }): NetBackend {
  const { fs, iface } = deps;
  /** The file networkd uses for the interface: the first (lexical order) whose [Match] fits. */
  const findFile = async (): Promise<string> => {
    const names = (await fs.readdir(NETWORKD_DIR)).filter((n) => n.endsWith(".network")).sort();
    for (const n of names) {
      const text = await fs.tryReadText(`${NETWORKD_DIR}/${n}`);
      const match = text === null ? undefined : parseIni(text).sections.find((s) => s.name === "Match");
      if (match && matchesInterface(iniValues(match, "Name"), iface)) return `${NETWORKD_DIR}/${n}`;
    }
    return `${NETWORKD_DIR}/10-${iface}.network`;
  };
  const apply = async (run: Runner) => {
    await run("networkctl", ["reload"]);
    // reload alone does not re-apply a changed .network to an existing link (systemd >= 244).
    await run("networkctl", ["reconfigure", iface]);
  };
  const write = async (change: { ip?: IpConfig; nameservers?: readonly string[] }, run: Runner) => {
    const file = await findFile();
    await fs.writeAtomic(file, renderNetworkFile(await fs.tryReadText(file), iface, change));
    await apply(run);
  };
  return {
    kind: "networkd",
    async read() {
      const text = await fs.tryReadText(await findFile());
      return text === null ? { mode: "unknown", nameservers: [] } : parseNetworkFile(text);
    },
    // Every .network file may be read to find the one that matches; networkd keeps its DHCP
    // leases under /run/systemd/netif/leases/<ifindex>.
    sources: () => Promise.resolve({ files: [], dirs: [NETWORKD_DIR], leaseDirs: [NETWORKD_LEASES] }),
    setIp: (cfg, run) => write({ ip: cfg }, run),
    setNameservers: (servers, run) => write({ nameservers: servers }, run),
    async snapshot() {
      const file = await findFile();
      const text = await fs.tryReadText(file);
      return async (run) => {
        if (text === null) await fs.remove(file);
        else await fs.writeAtomic(file, text);
        await apply(run);
      };
    },
  };
}
