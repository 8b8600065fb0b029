import { prefixToNetmask, type IpConfig } from "@bbb/shared";
import type { RootedFs } from "../../system/rooted-fs.js";
import type { Runner } from "../../system/runner.js";
import { readNameservers, RESOLV_CONF, writeNameservers } from "./resolv-conf.js";
import type { NetBackend, NetState } from "./types.js";

export const INTERFACES = "/etc/network/interfaces";
export const DHCLIENT_LEASES = "/var/lib/dhcp";
const STANZA = /^\s*(iface|auto|allow-[a-z]+|mapping|source|source-directory|no-auto-down|no-scripts)\b/;

/** Line range [start, end) of the `iface <if> inet …` stanza, or null. */
function findStanza(lines: string[], iface: string): [number, number] | null {
  const start = lines.findIndex((l) => new RegExp(`^\\s*iface\\s+${iface}\\s+inet\\s`).test(l));
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && !STANZA.test(lines[end] ?? "")) end++;
  // Trailing blank/comment lines belong to whatever follows.
  while (end > start + 1 && /^\s*(#.*)?$/.test(lines[end - 1] ?? "")) end--;
  return [start, end];
}

export function parseInterfaces(text: string, iface: string): NetState {
  const lines = text.split("\n");
  const r = findStanza(lines, iface);
  if (!r) return { mode: "unknown", nameservers: [] };
  const method = /inet\s+(\S+)/.exec(lines[r[0]] ?? "")?.[1];
  const opt = (k: string) =>
    lines
      .slice(r[0] + 1, r[1])
      .map((l) => new RegExp(`^\\s*${k}\\s+(.+?)\\s*$`).exec(l)?.[1])
      .find((v) => v !== undefined);
  const nameservers = (opt("dns-nameservers") ?? "").split(/\s+/).filter((s) => s !== "");
  if (method === "dhcp") return { mode: "dhcp", nameservers };
  if (method !== "static") return { mode: "unknown", nameservers };
  const s: NetState = { mode: "manual", nameservers };
  const [ip, len] = (opt("address") ?? "").split("/");
  if (ip) s.ip = ip;
  const mask = opt("netmask") ?? (len && /^\d+$/.test(len) ? prefixToNetmask(Number(len)) : undefined);
  if (mask) s.netmask = mask;
  const gw = opt("gateway");
  if (gw) s.gateway = gw;
  return s;
}

/** Replaces (or appends) the interface's stanza; other interfaces and comments stay as they were. */
export function renderInterfaces(
  previous: string | null,
  iface: string,
  change: { ip?: IpConfig; nameservers?: readonly string[] },
): string {
  const lines = (previous ?? "").replace(/\n+$/, "").split("\n");
  const old = parseInterfaces(previous ?? "", iface);
  const ip: IpConfig | null =
    change.ip ??
    (old.mode === "dhcp"
      ? { mode: "dhcp" }
      : old.mode === "manual" && old.ip && old.netmask && old.gateway
        ? { mode: "manual", ip: old.ip, netmask: old.netmask, gateway: old.gateway }
        : null);
  const ns = change.nameservers ?? old.nameservers;
  const stanza =
    ip?.mode === "manual"
      ? [`iface ${iface} inet static`, `    address ${ip.ip}`, `    netmask ${ip.netmask}`, `    gateway ${ip.gateway}`]
      : [`iface ${iface} inet dhcp`];
  if (ns.length) stanza.push(`    dns-nameservers ${ns.join(" ")}`);
  const r = findStanza(lines, iface);
  if (r) {
    // Keep options we do not manage (e.g. hwaddress, pre-up hooks).
    const managed = /^\s*(address|netmask|gateway|dns-nameservers|broadcast|network)\s/;
    const extra = lines.slice(r[0] + 1, r[1]).filter((l) => l.trim() !== "" && !managed.test(l));
    lines.splice(r[0], r[1] - r[0], ...stanza, ...extra);
  } else {
    const hasAuto = lines.some((l) => new RegExp(`^\\s*(auto|allow-hotplug)\\s+.*\\b${iface}\\b`).test(l));
    lines.push("", ...(hasAuto ? [] : [`auto ${iface}`]), ...stanza);
  }
  return lines.join("\n").replace(/^\n+/, "") + "\n";
}

/** Where systemd-run may live on the board (Debian: /usr/bin; merged-/usr images: /bin too). */
export const SYSTEMD_RUN_PATHS = ["/usr/bin/systemd-run", "/bin/systemd-run"] as const;

export interface IfupdownDeps {
  fs: RootedFs;
  iface: string;
  /** Whether systemd-run exists in the system the root prefix shows; default: looks there. */
  hasSystemdRun?: () => Promise<boolean>;
  /** Distinct part of each transient unit's name; default: time + counter. */
  unitId?: () => string;
}

/**
 * Very old images: /etc/network/interfaces. `ifup` of a dhcp stanza starts dhclient,
 * which must outlive the agent: run from the agent it would sit in the agent's sandbox and
 * cgroup (read-only /, private /tmp) and be killed with it at the next agent restart. So where
 * systemd-run exists, ifup/ifdown run as transient units of their own (`--wait` for the exit
 * code, `--collect` so a failed one does not linger); elsewhere the plain argv.
 */
export function createIfupdownBackend(deps: IfupdownDeps): NetBackend {
  const { fs, iface } = deps;
  const hasSystemdRun =
    deps.hasSystemdRun ??
    (async () => {
      for (const p of SYSTEMD_RUN_PATHS) if (await fs.exists(p)) return true;
      return false;
    });
  let counter = 0;
  const unitId = deps.unitId ?? (() => `${Date.now().toString(36)}-${++counter}`);
  const ifupdown = async (verb: "ifup" | "ifdown", run: Runner, opts?: { allowFailure?: boolean }) => {
    if (!(await hasSystemdRun())) return run(verb, [iface], opts);
    const unit = `--unit=bbb-${verb}-${unitId()}`;
    return run("systemd-run", ["--wait", "--collect", "--quiet", unit, "--", verb, iface], opts);
  };
  const write = async (change: { ip?: IpConfig; nameservers?: readonly string[] }, run: Runner) => {
    const text = await fs.tryReadText(INTERFACES);
    // Take the interface down with the stanza it was brought up with, then up with the new one.
    await ifupdown("ifdown", run, { allowFailure: true });
    await fs.writeAtomic(INTERFACES, renderInterfaces(text, iface, change));
    if (change.nameservers) await writeNameservers(fs, change.nameservers);
    await ifupdown("ifup", run);
  };
  return {
    kind: "ifupdown",
    async read() {
      const text = await fs.tryReadText(INTERFACES);
      const s = text === null ? { mode: "unknown" as const, nameservers: [] } : parseInterfaces(text, iface);
      return s.nameservers.length ? s : { ...s, nameservers: await readNameservers(fs) };
    },
    // dhclient (ifup of a dhcp stanza) records its leases in /var/lib/dhcp/dhclient.<if>.leases.
    sources: () => Promise.resolve({ files: [INTERFACES, RESOLV_CONF], dirs: [], leaseDirs: [DHCLIENT_LEASES] }),
    setIp: (cfg, run) => write({ ip: cfg }, run),
    setNameservers: (servers, run) => write({ nameservers: servers }, run),
    async snapshot() {
      const text = await fs.tryReadText(INTERFACES);
      const resolv = await fs.tryReadText("/etc/resolv.conf");
      const resolvLinked = await fs.isSymlink("/etc/resolv.conf");
      return async (run) => {
        await ifupdown("ifdown", run, { allowFailure: true });
        if (text === null) await fs.remove(INTERFACES);
        else await fs.writeAtomic(INTERFACES, text);
        if (resolv !== null && !resolvLinked) await fs.writeAtomic("/etc/resolv.conf", resolv);
        await ifupdown("ifup", run);
      };
    },
  };
}
