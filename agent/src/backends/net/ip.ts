import { z } from "zod";
import { CodedError, netmaskToPrefix, prefixToNetmask } from "@bbb/shared";
import { AgentErrorCodes } from "../../errors.js";
import type { RootedFs } from "../../system/rooted-fs.js";
import type { Runner } from "../../system/runner.js";
import { ipLiveSign } from "./ip-live-sign.js";
import { readNameservers, writeNameservers } from "./resolv-conf.js";
import type { InterfacesFn, NetBackend, NetState } from "./types.js";

const addrJson = z.array(
  z.looseObject({
    addr_info: z
      .array(
        z.looseObject({
          family: z.string(),
          local: z.string(),
          prefixlen: z.number(),
          dynamic: z.boolean().optional(),
        }),
      )
      .default([]),
  }),
);
const routeJson = z.array(z.looseObject({ dst: z.string(), gateway: z.string().optional() }));

export function ipAddrArgs(iface: string) {
  return ["-j", "-4", "addr", "show", "dev", iface];
}
export function ipRouteArgs(iface: string) {
  return ["-j", "-4", "route", "show", "default", "dev", iface];
}

/** `ip -j -4 addr show` + `ip -j -4 route show default` → the live configuration. */
export function parseIpJson(addrOut: string, routeOut: string): Omit<NetState, "nameservers"> {
  let addr: z.infer<typeof addrJson> = [];
  let routes: z.infer<typeof routeJson> = [];
  try {
    addr = addrJson.parse(JSON.parse(addrOut || "[]"));
    routes = routeJson.parse(JSON.parse(routeOut || "[]"));
  } catch {
    return { mode: "unknown" };
  }
  const a = addr.flatMap((x) => x.addr_info).find((i) => i.family === "inet");
  if (!a) return { mode: "unknown" };
  const s: Omit<NetState, "nameservers"> = {
    mode: a.dynamic ? "dhcp" : "manual",
    ip: a.local,
    netmask: prefixToNetmask(a.prefixlen),
  };
  const gw = routes.find((r) => r.dst === "default")?.gateway;
  if (gw) s.gateway = gw;
  return s;
}

export function ipSetArgs(iface: string, ip: string, netmask: string, gateway: string): string[][] {
  return [
    ["addr", "flush", "dev", iface],
    ["addr", "add", `${ip}/${netmaskToPrefix(netmask) ?? 24}`, "dev", iface],
    ["route", "replace", "default", "via", gateway, "dev", iface],
  ];
}

/**
 * Plain iproute2: the live address only, nothing persisted. Used where no network manager is
 * present, notably the network-namespace tests (agent/test/netns-set-ip.test.ts). read() starts
 * two processes; the heartbeat's poll calls it only when liveSign (ip-live-sign.ts) changed.
 */
export function createIpBackend(deps: { fs: RootedFs; iface: string; interfaces?: InterfacesFn }): NetBackend {
  const { fs, iface } = deps;
  const live = async (run: Runner) => {
    const [a, r] = await Promise.all([
      run("ip", ipAddrArgs(iface), { allowFailure: true }),
      run("ip", ipRouteArgs(iface), { allowFailure: true }),
    ]);
    return parseIpJson(a.stdout, r.stdout);
  };
  const backend: NetBackend = {
    kind: "ip",
    async read(run) {
      return { ...(await live(run)), nameservers: await readNameservers(fs) };
    },
    liveSign: () => ipLiveSign(fs, iface, deps.interfaces),
    async setIp(cfg, run) {
      if (cfg.mode === "dhcp") throw new CodedError(AgentErrorCodes.UNSUPPORTED, "the ip backend cannot run DHCP");
      for (const args of ipSetArgs(iface, cfg.ip, cfg.netmask, cfg.gateway)) await run("ip", args);
    },
    async setNameservers(servers) {
      await writeNameservers(fs, servers);
    },
    async snapshot(run) {
      const prev = await live(run);
      const resolv = await fs.tryReadText("/etc/resolv.conf");
      return async (r) => {
        if (prev.ip && prev.netmask) {
          await r("ip", ["addr", "flush", "dev", iface]);
          await r("ip", ["addr", "add", `${prev.ip}/${netmaskToPrefix(prev.netmask) ?? 24}`, "dev", iface]);
          if (prev.gateway) await r("ip", ["route", "replace", "default", "via", prev.gateway, "dev", iface]);
        }
        if (resolv !== null && !(await fs.isSymlink("/etc/resolv.conf")))
          await fs.writeAtomic("/etc/resolv.conf", resolv);
      };
    },
  };
  return backend;
}
