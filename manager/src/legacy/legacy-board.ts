import { deviceTypeName, isHostname, parseIpv4, type AgentKind, type Heartbeat } from "@bbb/shared";

/** What a legacy daemon tells about a board, in our terms (docs/legacy-protocols.md "Mapping"). */
export interface LegacyBoard {
  agent: Exclude<AgentKind, "bbb-agent">;
  ip: string;
  /** Hostname form (`--` for the EPICS `:`). */
  hostname: string;
  ipMode?: "manual" | "dhcp";
  nameservers?: string[];
  /** The sector the board names for itself, in our sector names. */
  claimedSector?: string;
  typeCode?: number;
  details?: string;
  baudrate?: number;
  diskUsedPct?: number;
}

/** Legacy boards are keyed by IP until our agent shows up (docs/protocol.md "Agent kinds"). */
export const legacyBoardId = (ip: string) => `legacy-${ip.replaceAll(".", "-")}`;

export const isIpv4 = (s: string) => parseIpv4(s) !== null;

/** A hostname as legacy daemons store it: RFC 1123, or the EPICS form with `:` turned into `--`. */
export function legacyHostname(s: string): string | null {
  const h = s.trim().replaceAll(":", "--");
  return isHostname(h) ? h : null;
}

/** The heartbeat the registry keeps for a legacy board (extra fields say where it came from). */
export function legacyHeartbeat(b: LegacyBoard, id: string, session: string, seq: number, ts: number): Heartbeat {
  return {
    v: 1,
    id,
    session,
    seq,
    ts,
    hostname: b.hostname,
    ip: b.ip,
    type: b.typeCode === undefined ? "undefined" : deviceTypeName(b.typeCode),
    uptime: 0,
    ...(b.ipMode ? { ipMode: b.ipMode } : {}),
    ...(b.nameservers && b.nameservers.length > 0 ? { nameservers: b.nameservers.slice(0, 8) } : {}),
    ...(b.details !== undefined ? { details: b.details.slice(0, 256) } : {}),
    ...(b.diskUsedPct !== undefined ? { diskUsedPct: b.diskUsedPct } : {}),
    ...(b.baudrate !== undefined ? { baudrate: b.baudrate } : {}),
    ...(b.claimedSector !== undefined ? { legacySector: b.claimedSector } : {}),
    legacyAgent: b.agent,
  };
}
