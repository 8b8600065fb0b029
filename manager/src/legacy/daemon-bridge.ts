import { createSocket, type Socket } from "node:dgram";
import { connect } from "node:net";
import type { Logger } from "pino";
import { daemonFrame } from "./daemon-frame.js";
import { parseDaemonPing, type DaemonNode, type DropReason } from "./daemon-ping.js";
import { isIpv4, legacyBoardId, legacyHostname, type LegacyBoard } from "./legacy-board.js";
import { daemonCommand } from "./legacy-commands.js";
import { handOver } from "./legacy-handover.js";
import type { LegacyEffects } from "./legacy-effects.js";
import type { LegacyFleet } from "./legacy-fleet.js";
import type { LegacyCommandRequest } from "./legacy-router.js";
import { sectorFromBbbread } from "./sector-names.js";

/** bbb-daemon pings every 5 s: `lost` 15 s after the last one. */
export const DAEMON_PERIOD_MS = 5000;
/** The board's command port. */
export const DAEMON_COMMAND_PORT = 9877;

export interface DaemonBridgeDeps {
  log: Logger;
  now: () => number;
  port: number;
  bind: string;
  /** The boards' TCP command port (tests point it at a stand-in). */
  commandPort?: number;
  fleet: LegacyFleet;
  effects: LegacyEffects;
  /** A datagram dropped (the `bbb_legacy_udp_dropped_total{reason}` metric). */
  dropped: (reason: DropReason) => void;
  connectTimeoutMs?: number;
  /** Ping period of the boards (default DAEMON_PERIOD_MS; tests shorten it). */
  periodMs?: number;
}

/** The ping's node in our terms; the IP is the one the board reports for eth0 (else the sender's). */
export function daemonBoard(n: DaemonNode, from: string): LegacyBoard | null {
  const ip = isIpv4(n.ip_address) ? n.ip_address : from;
  const hostname = legacyHostname(n.name);
  if (!hostname || !isIpv4(ip)) return null;
  const b: LegacyBoard = { agent: "bbb-daemon", ip, hostname };
  const type = typeof n.type === "number" ? n.type : Number(n.type);
  if (Number.isInteger(type) && type >= 0 && type < 256) b.typeCode = type;
  if (n.details !== undefined) b.details = n.details.slice(0, 256);
  if (n.sector !== undefined && String(n.sector).trim() !== "")
    b.claimedSector = sectorFromBbbread(String(n.sector)).slice(0, 64);
  return b;
}

/**
 * bbb-daemon's side (docs/legacy-protocols.md "bbb-daemon"): verified pings on UDP make
 * ordinary beats; commands go to the board's TCP 9877 in its framing, strings only.
 */
export function createDaemonBridge(deps: DaemonBridgeDeps) {
  const log = deps.log.child({ module: "bbb-daemon" });
  const counters = new Map<string, number>();
  const boards = new Map<string, LegacyBoard>();
  const ips = new Map<string, string>();
  let socket: Socket | null = null;

  function onDatagram(msg: Buffer, from: string): void {
    const p = parseDaemonPing(msg);
    if (!p.ok) {
      deps.dropped(p.reason);
      log.debug({ from, reason: p.reason, detail: p.detail }, "bbb-daemon datagram dropped");
      return;
    }
    const b = daemonBoard(p.node, from);
    if (!b) return deps.dropped("shape");
    const key = b.hostname.toLowerCase();
    const oldIp = ips.get(key);
    if (oldIp !== undefined && oldIp !== b.ip) {
      // Same board on a new address (a set-ip): it moves, no new board beside a lost one.
      deps.fleet.moved(oldIp, b.ip);
      boards.delete(legacyBoardId(oldIp));
    }
    ips.set(key, b.ip);
    const before = counters.get(key);
    const counter = p.node.counter;
    if (counter !== undefined) counters.set(key, counter);
    // The ping counter starts again with the daemon: a restart (a new session for the registry).
    const restarted = before !== undefined && counter !== undefined && counter < before;
    if (restarted) deps.fleet.restarted(legacyBoardId(b.ip));
    const id = deps.fleet.beat(b, deps.periodMs ?? DAEMON_PERIOD_MS);
    if (id !== null) boards.set(id, b);
    deps.effects.seen(b, restarted);
  }

  function deliver(ip: string, frame: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: ip, port: deps.commandPort ?? DAEMON_COMMAND_PORT });
      const t = setTimeout(() => s.destroy(new Error("connect timeout")), deps.connectTimeoutMs ?? 5000);
      s.once("error", (err) => {
        clearTimeout(t);
        reject(err);
      });
      s.once("connect", () => s.end(frame));
      s.once("close", (hadError) => {
        clearTimeout(t);
        if (!hadError) resolve();
      });
    });
  }

  return {
    boards: () => boards.size,

    async start(): Promise<number> {
      const s = createSocket({ type: deps.bind.includes(":") ? "udp6" : "udp4" });
      socket = s;
      s.on("message", (msg, rinfo) => {
        try {
          onDatagram(msg, rinfo.address);
        } catch (err: unknown) {
          deps.dropped("decode");
          log.warn({ err }, "bbb-daemon datagram failed");
        }
      });
      s.on("error", (err) => log.error({ err }, "bbb-daemon socket error"));
      await new Promise<void>((resolve) => s.bind(deps.port, deps.bind, resolve));
      const port = s.address().port;
      log.info({ port }, "bbb-daemon bridge listening");
      return port;
    },

    send(c: LegacyCommandRequest): Promise<void> {
      const b = boards.get(c.boardId) ?? null;
      const port = deps.commandPort ?? DAEMON_COMMAND_PORT;
      return handOver(c, {
        kind: "bbb-daemon",
        now: deps.now,
        effects: deps.effects,
        board: b,
        deliver: async (lc) => {
          const dc = daemonCommand(lc);
          if (!dc || !b) throw new Error("bbb-daemon has no such command");
          await deliver(b.ip, daemonFrame(dc.code, dc.args)).catch((err: unknown) => {
            throw new Error(`TCP ${b.ip}:${port}: ${err instanceof Error ? err.message : String(err)}`);
          });
        },
        takenOnDelivery: true,
        silenceMs: 2 * (deps.periodMs ?? DAEMON_PERIOD_MS),
      });
    },

    async stop(): Promise<void> {
      const s = socket;
      socket = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      boards.clear();
    },
  };
}
export type DaemonBridge = ReturnType<typeof createDaemonBridge>;
