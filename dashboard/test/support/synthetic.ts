import { defaultSectors, firstHost, hostViewSchema, parseCidr, formatIpv4, type BoardState, type HostView } from "@bbb/shared";

const TYPES = ["power-supply", "mbtemp", "counting-pru", "spixconv", "mks-937b", "agilent-4uhv", "thermo-probe"];
const sectors = defaultSectors().filter((s) => s.cidrs.length > 0);

/** A plausible host view of board n of a fleet of `total`, valid against hostViewSchema. */
export function syntheticHost(n: number, total: number, now: number, tick = 0): HostView {
  const sector = sectors[Math.floor((n * sectors.length) / total)] ?? sectors[0]!;
  const cidr = parseCidr(sector.cidrs[n % sector.cidrs.length] ?? "10.128.0.0/24")!;
  const size = 2 ** (32 - cidr.prefix) - 3;
  const ip = formatIpv4(cidr.network + 2 + (n % size));
  const id = `b${n.toString(16).padStart(11, "0")}`;
  const hostname = `SI-${sector.name}RaCtrl--CO-Srv-${n}`;
  const type = TYPES[n % TYPES.length] ?? "mbtemp";
  // About 1 % lost, 2 % misconfigured, 0.5 % unregistered; and each second another 10 boards
  // (0.1 %) are lost for that second, so the map and the change feed move.
  const r = (n * 7919) % 1000;
  const blip = tick > 0 && (n * 31 + tick) % 1000 === 0;
  const state: BoardState = r < 10 || blip ? "lost" : r < 30 ? "misconfigured" : r < 35 ? "unregistered" : "online";
  const view = {
    v: 1,
    id,
    state,
    stateSince: now - 60_000,
    lastSeen: now,
    problems: state === "misconfigured" ? [{ code: "mismatch", field: "ip", expected: ip, actual: "10.0.0.1", message: "ip is 10.0.0.1, expected " + ip }] : [],
    flapping: false,
    sector: sector.name,
    session: "s1",
    agent: "bbb-agent",
    node: state === "unregistered" ? null : {
      hostname, ip: { mode: "manual", ip, netmask: "255.255.255.0", gateway: firstHost(cidr) }, nameservers: ["10.0.0.71", "10.0.0.72"],
      type, sector: sector.name, pvPrefixes: [`SI-${sector.name}:DI-${type}-${n}`], boardId: id, notes: "",
    },
    heartbeat: {
      v: 1, id, session: "s1", seq: tick, ts: now, hostname, ip, type, uptime: 3600 + tick, mac: "a0:f6:fd:00:00:00", ipMode: "manual",
      netmask: "255.255.255.0", gateway: firstHost(cidr), nameservers: ["10.0.0.71", "10.0.0.72"], pvPrefix: `SI-${sector.name}:DI-${type}-${n}`,
      load1: ((n + tick) % 100) / 50, memUsedPct: 30 + (n % 20), diskUsedPct: 40, tempC: 40 + ((n + tick) % 15), agentVersion: "0.1.0",
      projectRevision: "4f2c9a1", services: { "bbb-function": "active" },
    },
  };
  // Validated once per board id by the caller's first use is enough; parsing 10,000 views a
  // second here would starve the browser of the CPU it is being measured on.
  return n === 0 && tick === 0 ? hostViewSchema.parse(view) : (view as HostView);
}
