import { CodedError, netmaskToPrefix, prefixToNetmask, type IpConfig } from "@bbb/shared";
import { AgentErrorCodes } from "../../errors.js";
import type { RootedFs } from "../../system/rooted-fs.js";
import type { Runner } from "../../system/runner.js";
import type { NetBackend, NetState } from "./types.js";

export const CONNMAN_DIR = "/var/lib/connman";

/**
 * The wired service of `iface` in `connmanctl services` output: the `ethernet_<mac>_cable`
 * entry whose MAC is the interface's. Lines look like
 * `*AO Wired                ethernet_a0f6fd8b1c22_cable`.
 */
export function findEthernetService(servicesOutput: string, mac: string | null): string | null {
  const ids = servicesOutput
    .split("\n")
    .map((l) => l.trim().split(/\s+/).pop() ?? "")
    .filter((id) => /^ethernet_[0-9a-f]{12}_cable$/.test(id));
  if (mac !== null) return ids.find((id) => id === `ethernet_${mac}_cable`) ?? null;
  return ids.length === 1 ? (ids[0] ?? null) : null;
}

/** connman's stored service settings (/var/lib/connman/<service>/settings, an ini file). */
export function parseConnmanSettings(text: string): NetState {
  const kv = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z0-9_.]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) kv.set(m[1], m[2] ?? "");
  }
  const method = kv.get("IPv4.method");
  const nameservers = (kv.get("Nameservers") ?? "").split(";").filter((s) => s !== "");
  if (method === "dhcp") return { mode: "dhcp", nameservers };
  if (method === "manual" || method === "fixed") {
    const s: NetState = { mode: "manual", nameservers };
    const ip = kv.get("IPv4.local_address");
    const prefix = Number(kv.get("IPv4.netmask_prefixlen"));
    const gw = kv.get("IPv4.gateway");
    if (ip) s.ip = ip;
    if (Number.isInteger(prefix) && prefix > 0 && prefix <= 32) s.netmask = prefixToNetmask(prefix);
    if (gw) s.gateway = gw;
    return s;
  }
  return { mode: "unknown", nameservers };
}

export function connmanIpArgs(service: string, cfg: IpConfig): string[] {
  return cfg.mode === "dhcp"
    ? ["config", service, "--ipv4", "dhcp"]
    : ["config", service, "--ipv4", "manual", cfg.ip, cfg.netmask, cfg.gateway];
}

export function connmanNameserverArgs(service: string, servers: readonly string[]): string[] {
  return ["config", service, "--nameservers", ...servers];
}

/** Debian 10 images: connman owns eth0. */
export function createConnmanBackend(deps: { fs: RootedFs; iface: string }): NetBackend {
  // Read once (again while unknown): the interface's hardware address does not change while the
  // agent runs, and read() and sources() need it at every poll.
  let known: string | null = null;
  const mac = async () => {
    if (known !== null) return known;
    const t = await deps.fs.tryReadSmall(`/sys/class/net/${deps.iface}/address`, 64);
    known = t === null ? null : t.trim().toLowerCase().replaceAll(":", "") || null;
    return known;
  };
  const settingsPath = (m: string) => `${CONNMAN_DIR}/ethernet_${m}_cable/settings`;
  const service = async (run: Runner): Promise<string> => {
    const r = await run("connmanctl", ["services"]);
    const svc = findEthernetService(r.stdout, await mac());
    if (!svc) throw new CodedError(AgentErrorCodes.NET_BACKEND, `no connman ethernet service for ${deps.iface}`);
    return svc;
  };
  const backend: NetBackend = {
    kind: "connman",
    // File-only read (no connmanctl per heartbeat poll): the service id is derived from the MAC.
    async read() {
      const m = await mac();
      const text = m ? await deps.fs.tryReadSmall(settingsPath(m), 16384) : null;
      return text === null ? { mode: "unknown", nameservers: [] } : parseConnmanSettings(text);
    },
    // connman saves the service's settings (IPv4.DHCP.LastAddress too, at each lease) by rename.
    async sources() {
      const m = await mac();
      return m ? { files: [settingsPath(m)], dirs: [], leaseDirs: [] } : null;
    },
    async setIp(cfg, run) {
      await run("connmanctl", connmanIpArgs(await service(run), cfg));
    },
    async setNameservers(servers, run) {
      await run("connmanctl", connmanNameserverArgs(await service(run), servers));
    },
    async snapshot(run) {
      const prev = await backend.read(run);
      return async (run) => {
        const svc = await service(run);
        if (prev.mode === "dhcp") await run("connmanctl", connmanIpArgs(svc, { mode: "dhcp" }));
        if (
          prev.mode === "manual" &&
          prev.ip &&
          prev.netmask &&
          prev.gateway &&
          netmaskToPrefix(prev.netmask) !== null
        ) {
          await run(
            "connmanctl",
            connmanIpArgs(svc, { mode: "manual", ip: prev.ip, netmask: prev.netmask, gateway: prev.gateway }),
          );
        }
        await run("connmanctl", connmanNameserverArgs(svc, prev.nameservers));
      };
    },
  };
  return backend;
}
