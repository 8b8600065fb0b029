import {
  DEVICE_TYPE_CODES,
  defaultSectors,
  epicsToHostname,
  formatIpv4,
  parseCidr,
  type BoardType,
  type Node,
} from "@bbb/shared";

/** One simulated board of the demo fleet and what the registry is told to expect of it. */
export interface PlannedBoard {
  index: number;
  hostname: string;
  ip: string;
  netmask: string;
  gateway: string;
  device: number;
  /** What the registry holds for this slot (null: an unregistered board). */
  node: Node | null;
}

export const DEMO_TYPES: BoardType[] = [
  {
    name: "power-supply",
    description: "Power supply controller",
    colour: "#e53935",
    source: null,
    rcLocalPath: null,
    overlay: null,
    pvPrefixPattern: null,
  },
  {
    name: "counting-pru",
    description: "Counting PRU",
    colour: "#8e24aa",
    source: null,
    rcLocalPath: null,
    overlay: null,
    pvPrefixPattern: null,
  },
  {
    name: "thermo-probe",
    description: "Thermo probe",
    colour: "#fb8c00",
    source: null,
    rcLocalPath: null,
    overlay: null,
    pvPrefixPattern: null,
  },
  {
    name: "mbtemp",
    description: "MBTemp temperature boards",
    colour: "#1e88e5",
    source: null,
    rcLocalPath: null,
    overlay: null,
    pvPrefixPattern: null,
  },
  {
    name: "agilent-4uhv",
    description: "Agilent 4UHV ion pump controller",
    colour: "#43a047",
    source: null,
    rcLocalPath: null,
    overlay: null,
    pvPrefixPattern: null,
  },
  {
    name: "mks-937b",
    description: "MKS 937B vacuum gauge",
    colour: "#00897b",
    source: null,
    rcLocalPath: null,
    overlay: null,
    pvPrefixPattern: null,
  },
  {
    name: "spixconv",
    description: "SPIxCONV",
    colour: "#6d4c41",
    source: null,
    rcLocalPath: null,
    overlay: null,
    pvPrefixPattern: null,
  },
];

const DEVICE_ABBR: Readonly<Record<number, string>> = {
  1: "PS",
  2: "CountingPRU",
  3: "Thermo",
  4: "MBTemp",
  5: "Agilent",
  6: "MKS",
  7: "SPIxCONV",
};

/**
 * A plausible fleet, deterministic for a given size: boards spread over the default sectors,
 * EPICS-style hostnames, device codes 1–7; most registered, some misconfigured (the node says
 * another IP), some unregistered, plus a few nodes with no board at all: spare slots (`spare`,
 * docs/protocol.md §"Registry states") and, every third one, a slot whose board is gone (missing).
 */
export function planFleet(n: number): { boards: PlannedBoard[]; emptyNodes: Node[] } {
  const sectors = defaultSectors().filter((s) => s.cidrs.length > 0);
  const boards: PlannedBoard[] = [];
  const used = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const sector = sectors[i % sectors.length] ?? { name: "1", cidrs: ["10.128.10.0/25"] };
    const cidrText = sector.cidrs[Math.floor(i / sectors.length) % sector.cidrs.length] ?? "10.128.10.0/25";
    const cidr = parseCidr(cidrText) ?? { network: 0, prefix: 24 };
    const k = (used.get(cidrText) ?? 0) + 1;
    used.set(cidrText, k);
    const size = 2 ** (32 - cidr.prefix);
    const ip = formatIpv4(cidr.network + 10 + (k % (size - 12)));
    const netmask = formatIpv4(cidr.prefix === 0 ? 0 : (0xffffffff << (32 - cidr.prefix)) >>> 0);
    const gateway = formatIpv4(cidr.network + 1);
    const device = 1 + (i % 7);
    const room = /^\d+$/.test(sector.name) ? `${sector.name.padStart(2, "0")}RaBbB` : `${sector.name.slice(0, 4)}RaBbB`;
    const hostname = epicsToHostname(`IA-${room}:CO-${DEVICE_ABBR[device] ?? "IOC"}-${k}`);
    const type = DEVICE_TYPE_CODES[device] ?? "undefined";
    const kind = i % 20;
    const node: Node | null =
      kind === 7
        ? null
        : {
            hostname,
            // Every 20th board is registered with another address: misconfigured.
            ip: { mode: "manual", ip: kind === 13 ? formatIpv4(cidr.network + 9) : ip, netmask, gateway },
            nameservers: ["10.0.0.71", "10.0.0.72"],
            type,
            sector: null,
            pvPrefixes: [],
            boardId: null,
            notes: "",
            spare: false,
          };
    boards.push({ index: i + 1, hostname, ip, netmask, gateway, device, node });
  }
  const emptyNodes: Node[] = Array.from({ length: Math.max(1, Math.floor(n / 50)) }, (_, j) => ({
    hostname: j % 3 === 2 ? `IA-20RaBbB--CO-PSup-${j + 1}` : `IA-20RaBbB--CO-Spare-${j + 1}`,
    ip: { mode: "manual", ip: `10.128.200.${200 + (j % 50)}`, netmask: "255.255.255.128", gateway: "10.128.200.129" },
    nameservers: [],
    type: "power-supply",
    sector: null,
    pvPrefixes: [],
    boardId: null,
    notes: j % 3 === 2 ? "board removed for repair" : "spare slot: a board on the shelf, configured for this address",
    spare: j % 3 !== 2,
  }));
  return { boards, emptyNodes };
}
