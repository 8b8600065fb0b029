import type { Heartbeat } from "@bbb/shared";
import type { Logger } from "pino";
import type { ProjectSync } from "../actions/project-sync.js";
import type { NodeSettingsStore } from "../state/node-settings.js";
import type { Clock } from "../system/clock.js";
import type { RootedFs } from "../system/rooted-fs.js";
import { createSharedIntervals, type SharedIntervals } from "../system/shared-intervals.js";
import { composeHeartbeat, serializeHeartbeat } from "./build-heartbeat.js";
import { createDeviceInfo } from "./device-info.js";
import type { SlowFacts } from "./slow-facts.js";
import { createFastFactsReader } from "./system-facts.js";

/**
 * How long the rarely-changing facts asked of the project sync (project revision, rc.local hash)
 * are reused. They are also re-read whenever the slow facts change, which an action
 * (sync-project) triggers at once. The interface's address comes with the slow facts
 * (heartbeat/net-facts.ts).
 */
const RARE_FACTS_MS = 5000;

interface RareFacts {
  projectRevision: string | undefined;
  rcLocalHash: string | undefined;
}

export interface HeartbeatDeps {
  boardId: string;
  session: string;
  iface: string;
  configuredType?: string;
  agentVersion: string;
  periodMs: number;
  fs: RootedFs;
  clock: Clock;
  log: Logger;
  slow: () => SlowFacts;
  nodeSettings: NodeSettingsStore;
  projectSync?: ProjectSync;
  processUptime?: () => number;
  /** The agent's shared timers (the keepalive ticks with the heartbeat); default: its own. */
  intervals?: SharedIntervals;
  publish(payload: string): void;
  canPublish(): boolean;
}

/**
 * The heartbeat (docs/protocol.md §"Heartbeat"): every period, retained QoS 0, required fields plus
 * whatever optional ones the board can tell, ≤ 1 KiB.
 */
export function createHeartbeatLoop(deps: HeartbeatDeps) {
  const log = deps.log.child({ module: "heartbeat" });
  const device = createDeviceInfo(deps.fs);
  let seq = 0;
  const intervals = deps.intervals ?? createSharedIntervals();
  let timer: number | null = null;
  let mac: string | undefined;
  let lastType: string | null = null;
  const readFast = createFastFactsReader(deps.fs, deps.processUptime ?? (() => process.uptime()));
  let rare: RareFacts | null = null;
  let rareAt = 0;
  let rareSlow: SlowFacts | null = null;

  const rareFacts = (slow: SlowFacts, now: number): RareFacts => {
    if (rare && slow === rareSlow && now - rareAt < RARE_FACTS_MS && now >= rareAt) return rare;
    rareSlow = slow;
    rareAt = now;
    rare = {
      projectRevision: deps.projectSync?.currentRevision()?.slice(0, 64) ?? undefined,
      rcLocalHash: deps.projectSync?.rcLocalHash()?.slice(0, 64) ?? undefined,
    };
    return rare;
  };

  /** Read once: the interface's hardware address does not change while the agent runs. */
  const readMac = (): string => deps.fs.tryReadSmallSync(`/sys/class/net/${deps.iface}/address`, 64)?.trim().toLowerCase() ?? "";

  /**
   * Synchronous from the timer's callback to the socket write: every read of a beat is a
   * synchronous one, so a promise per read and per beat would only add microtask turns and
   * garbage (CPU per heartbeat, BENCHMARKS.md §"Agent footprint").
   */
  const build = (): Heartbeat => {
    if (mac === undefined) mac = readMac();
    const fast = readFast.read();
    const dev = device.get();
    const slow = deps.slow();
    const net = slow.net;
    const ts = deps.clock.now();
    const { projectRevision, rcLocalHash } = rareFacts(slow, ts);
    const addr = slow.addr;
    const node = deps.nodeSettings.get();
    // An adopted type (apply-node) is what the board was configured as; the detected one is
    // still shown when it disagrees, so a wrongly wired board stays visible.
    const type = node.type ?? dev?.type ?? deps.configuredType ?? "undefined";
    lastType = type;
    return composeHeartbeat({
      id: deps.boardId,
      session: deps.session,
      seq: seq++,
      ts,
      hostname: fast.hostname,
      ip: addr?.address ?? net?.ip ?? "",
      type,
      uptime: fast.uptime,
      optional: {
        mac: mac || undefined,
        ipMode: net && net.mode !== "unknown" ? net.mode : undefined,
        netmask: addr?.netmask ?? net?.netmask,
        gateway: net?.gateway,
        nameservers: net?.nameservers.length ? net.nameservers.slice(0, 8) : undefined,
        pvPrefix: node.pvPrefix,
        details: dev?.details,
        detectedType: node.type && dev && dev.type !== node.type ? dev.type : undefined,
        load1: fast.load1,
        memUsedPct: fast.memUsedPct,
        diskUsedPct: slow.diskUsedPct,
        tempC: fast.tempC,
        agentVersion: deps.agentVersion,
        projectRevision,
        rcLocalHash,
        services: slow.services,
        timeSync: slow.timeSync?.timeSync,
        clockOffsetMs: slow.timeSync?.clockOffsetMs,
      },
    });
  };

  const beat = (): void => {
    if (!deps.canPublish()) return;
    try {
      deps.publish(serializeHeartbeat(build()));
    } catch (e: unknown) {
      log.warn({ err: e }, "heartbeat failed");
    }
  };

  return {
    build,
    beat,
    /** The type the heartbeat reports (as of the last beat). */
    currentType: (): string => lastType ?? deps.nodeSettings.get().type ?? deps.configuredType ?? "undefined",
    start() {
      if (timer) return;
      timer = intervals.set(beat, deps.periodMs);
    },
    stop() {
      intervals.clear(timer);
      timer = null;
      readFast.close();
      device.close();
    },
    running: () => timer !== null,
  };
}
