import {
  heartbeatPvPrefixes,
  type AlarmLevel,
  type AlarmMetric,
  type AgentKind,
  type BoardLive,
  type BoardState,
  type BoardType,
  type Expected,
  type Heartbeat,
  type IocsPayload,
  type Node,
  type Problem,
} from "@bbb/shared";
import { currentIocs, servedPvKeys } from "./ioc-problems.js";

/** A metric's raised alarm level, its highest value since it was raised, and since when. */
export interface AlarmState {
  level: Exclude<AlarmLevel, "ok">;
  value: number;
  limit: number;
  since: number;
}

/** The manager's in-memory record of one board id. */
export interface BoardRecord {
  id: string;
  live: BoardLive & { reboot: BoardLive["reboot"] };
  /** Fields of the last heartbeat that can change the state (see significantKey). */
  sigKey: string;
  /** Failed services of the last heartbeat (a problem, not a state). */
  failedServices: string[];
  sector: string | null;
  /** Hostname of the node this board is matched with. */
  nodeHost: string | null;
  /** Null until the first evaluation (a record built from retained messages waits for its status). */
  state: BoardState | null;
  stateSince: number;
  problems: Problem[];
  problemsKey: string;
  alive: boolean;
  /** Times of recent state changes, for the flapping flag. */
  changes: number[];
  flapping: boolean;
  /** State changes not written to history while flapping. */
  suppressed: number;
  /** The broker saw a second connection with this id until this time. */
  duplicateUntil: number;
  /** Keys this board holds in the conflict index (only while alive). */
  indexed: string[];
  /** Next time the state may change without a message (lost, reboot timeout, flags). */
  deadline: number | null;
  /** What speaks for the board: our agent, or a legacy bridge (docs/legacy-protocols.md). */
  agent: AgentKind;
  /** The last IOC report (`<root>/<id>/iocs`, docs/epics.md); judged only while its session is the board's. */
  iocs: IocsPayload | null;
  /** Raised alarm levels of the health metrics (docs/protocol.md §"Alarms"). */
  alarms: Partial<Record<AlarmMetric, AlarmState>>;
  /** Unexpected reboots: times within the last 24 h, how many in all, the last one. */
  reboots: { recent: number[]; total: number; lastAt: number | null };
  /**
   * Known from the last run and not reconnected since this one started: kept in its last state
   * (not `lost`) until this time (docs/protocol.md §"Liveness").
   */
  restoredUntil: number | null;
}

export function newRecord(id: string, now: number, periodMs: number): BoardRecord {
  return {
    id,
    live: { status: null, session: null, heartbeat: null, lastSeen: null, periodMs, reboot: null },
    sigKey: "",
    failedServices: [],
    sector: null,
    nodeHost: null,
    state: null,
    stateSince: now,
    problems: [],
    problemsKey: "[]",
    alive: false,
    changes: [],
    flapping: false,
    suppressed: 0,
    duplicateUntil: 0,
    indexed: [],
    deadline: null,
    agent: "bbb-agent",
    iocs: null,
    alarms: {},
    reboots: { recent: [], total: 0, lastAt: null },
    restoredUntil: null,
  };
}

/**
 * The heartbeat fields the state depends on, as one string: a beat whose key did not change
 * needs no evaluation (the per-heartbeat work stays a parse and a string compare).
 */
/** Attribute fields of a heartbeat: a change is published (coalesced), not re-evaluated. */
export const attrKeyOf = (hb: Heartbeat) =>
  `${hb.details ?? ""}|${hb.agentVersion ?? ""}|${hb.mac ?? ""}|${hb.ipMode ?? ""}|${hb.netmask ?? ""}|${hb.gateway ?? ""}|${hb.nameservers?.join(",") ?? ""}`;

export function significantKey(hb: Heartbeat, failed: readonly string[]): string {
  const pv = hb.pvPrefix === undefined ? "" : Array.isArray(hb.pvPrefix) ? hb.pvPrefix.join(",") : hb.pvPrefix;
  return `${hb.session}|${hb.hostname}|${hb.ip}|${hb.type}|${pv}|${hb.projectRevision ?? ""}|${hb.rcLocalHash ?? ""}|${failed.join(",")}|${hb.timeSync ?? ""}`;
}

export function failedServices(hb: Heartbeat): string[] {
  if (!hb.services) return [];
  const out: string[] = [];
  for (const [name, st] of Object.entries(hb.services)) if (st === "failed") out.push(name);
  return out;
}

/** What the node (and its type's current project) expects of the board. */
export function expectedOf(node: Node, type: BoardType | undefined): Expected {
  return {
    hostname: node.hostname,
    ip: node.ip.mode === "manual" ? node.ip.ip : null,
    type: node.type,
    pvPrefixes: node.pvPrefixes,
    projectRevision: type?.revision ?? null,
    rcLocalHash: type?.rcLocalHash ?? null,
    inventory: type?.expect ?? null,
    spare: node.spare,
  };
}

/**
 * Conflict index keys of a live board: two live boards must not share any of them (hostname,
 * IP, declared PV prefixes, and the PVs its IOCs answer for, docs/epics.md).
 */
export function conflictKeys(hb: Heartbeat, rec: Pick<BoardRecord, "iocs" | "live">): string[] {
  const keys = [`h:${hb.hostname.toLowerCase()}`];
  if (hb.ip !== "" && hb.ip !== "0.0.0.0") keys.push(`i:${hb.ip}`);
  for (const pv of heartbeatPvPrefixes(hb)) keys.push(`p:${pv}`);
  keys.push(...servedPvKeys(currentIocs(rec.iocs, rec.live.session)));
  return keys;
}
