import type { Logger } from "pino";
import { commandKey, movedTo, parseBbbreadHash, parseBbbreadKey } from "./bbbread-hash.js";
import { enableKeyspaceEvents, type BbbreadConnections } from "./bbbread-redis.js";
import { createBbbreadLogs } from "./bbbread-logs.js";
import { createBbbreadMonitor } from "./bbbread-monitor.js";
import { legacyBoardId, type LegacyBoard } from "./legacy-board.js";
import { bbbreadCommand } from "./legacy-commands.js";
import { handOver } from "./legacy-handover.js";
import type { LegacyEffects } from "./legacy-effects.js";
import type { LegacyFleet } from "./legacy-fleet.js";
import type { LegacyCommandRequest } from "./legacy-router.js";

/** bbbread writes about every 10 s; a little slack, so `lost` comes 33 s after the last write. */
export const BBBREAD_PERIOD_MS = 11_000;

export interface BbbreadBridgeDeps {
  log: Logger;
  now: () => number;
  conns: BbbreadConnections;
  mode: "beside" | "replace";
  fleet: LegacyFleet;
  effects: LegacyEffects;
  /** A new `…:Logs` entry of a board (epoch seconds, text). */
  onLog: (boardId: string, b: LegacyBoard, epochS: number, text: string) => void;
  /** Full scan period (discovery; liveness too when keyspace events are off). */
  scanMs?: number;
  /** The old monitor's loop period in replace mode. */
  monitorMs?: number;
  /** Beat period of the boards (default BBBREAD_PERIOD_MS; tests shorten it). */
  periodMs?: number;
}

interface Entry {
  key: string;
  board: LegacyBoard | null;
  fields: Record<string, string>;
}

/**
 * Follows the Redis bbbread boards write to (docs/legacy-protocols.md "bbbread"): learns
 * liveness from the boards' own writes, never deletes or rewrites their keys (except in replace
 * mode, which does what the old monitor did), and sends commands as `RPUSH …:Command`.
 */
export function createBbbreadBridge(deps: BbbreadBridgeDeps) {
  const log = deps.log.child({ module: "bbbread" });
  const { cmd, sub } = deps.conns;
  const entries = new Map<string, Entry>();
  const refreshing = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let notifications = false;
  const periodMs = deps.periodMs ?? BBBREAD_PERIOD_MS;
  const monitor = createBbbreadMonitor({ log, now: deps.now, cmd, written: (key) => written(key) });

  function written(key: string): void {
    if (!notifications) void refresh(key, true);
  }

  const logs = createBbbreadLogs({
    cmd,
    own: (key, field, text) => monitor.wroteLog(key, field, text),
    line: (b, epochS, text) => {
      deps.onLog(legacyBoardId(b.ip), b, epochS, text);
      deps.effects.logged(b, text, epochS * 1000);
    },
  });
  const readLogs = (e: Entry) => logs.read(e.key, e.board);

  /** Reads a board hash; `write` when the board itself wrote to it (its liveness). */
  async function refresh(key: string, write: boolean): Promise<void> {
    if (refreshing.has(key)) return;
    refreshing.add(key);
    try {
      const fields = await cmd.hgetall(key);
      const prev = entries.get(key);
      const to = movedTo(fields);
      if (to !== null) {
        entries.delete(key);
        logs.forget(key);
        const a = parseBbbreadKey(key);
        const b = parseBbbreadKey(to);
        if (a && b && a.ip !== b.ip && prev?.board) deps.fleet.moved(a.ip, b.ip);
        return;
      }
      const board = parseBbbreadHash(key, fields);
      const e: Entry = prev ?? { key, board, fields };
      // Without keyspace events, a write shows as the old monitor's marks: heartbeat back after its HDEL, a new ping_time.
      const polledWrite =
        !notifications &&
        prev !== undefined &&
        ((fields.heartbeat !== undefined && prev.fields.heartbeat === undefined) ||
          fields.ping_time !== prev.fields.ping_time ||
          fields.disk_usage !== prev.fields.disk_usage);
      e.board = board;
      e.fields = fields;
      entries.set(key, e);
      if (!board) return;
      if (write || polledWrite) {
        deps.fleet.beat(board, periodMs);
        deps.effects.seen(board);
      }
      if (!logs.known(key)) await readLogs(e);
    } catch (err: unknown) {
      log.warn({ err, key }, "bbbread hash not read");
    } finally {
      refreshing.delete(key);
    }
  }

  async function scan(): Promise<void> {
    try {
      let cursor = "0";
      const seen = new Set<string>();
      do {
        const [next, keys] = await cmd.scan(cursor, "MATCH", "BBB:*", "COUNT", 1000);
        cursor = next;
        for (const k of keys) if (parseBbbreadKey(k)) seen.add(k);
      } while (cursor !== "0");
      for (const k of entries.keys())
        if (!seen.has(k)) {
          entries.delete(k);
          logs.forget(k);
        }
      for (const k of seen) await refresh(k, false);
      for (const e of entries.values()) if (e.board && !notifications) await readLogs(e);
      await checkTaken();
    } catch (err: unknown) {
      log.warn({ err }, "bbbread scan failed");
    }
  }

  /** Commands the board popped from its list count as taken. */
  async function checkTaken(): Promise<void> {
    for (const w of deps.effects.pending()) {
      if (w.takenAt !== null) continue;
      const key = keyOf(w.boardId);
      if (!key) continue;
      const list = await cmd.lrange(commandKey(key), 0, -1);
      if (!list.includes(bbbreadCommand(w.cmd))) deps.effects.taken(w.requestId);
    }
  }

  function keyOf(boardId: string): string | null {
    for (const e of entries.values()) if (e.board && legacyBoardId(e.board.ip) === boardId) return e.key;
    return null;
  }

  function onEvent(channel: string, event: string): void {
    const key = channel.slice(channel.indexOf(":") + 1);
    if (key.endsWith(":Logs")) {
      const e = entries.get(key.slice(0, -5));
      if (e && (event === "hset" || event === "rename_to"))
        readLogs(e).catch((err: unknown) => log.warn({ err }, "logs not read"));
      return;
    }
    if (key.endsWith(":Command")) {
      if (event === "lpop") void checkTaken();
      return;
    }
    if (event === "hset" && !monitor.ownWrite(key)) void refresh(key, true);
  }

  return {
    notifications: () => notifications,
    boards: () => entries.size,

    async start(): Promise<void> {
      await cmd.connect();
      const why = await enableKeyspaceEvents(cmd);
      if (why === null) {
        await sub.connect();
        sub.on("pmessage", (_p: string, channel: string, event: string) => onEvent(channel, event));
        await sub.psubscribe(`__keyspace@${deps.conns.db}__:BBB:*`);
        notifications = true;
        log.info({ mode: deps.mode }, "bbbread bridge following keyspace events");
      } else {
        log.warn(
          { reason: why, mode: deps.mode },
          "bbbread bridge: keyspace events unavailable, polling instead (liveness from the old monitor's marks, up to ~45 s)",
        );
      }
      await scan();
      const scanMs = deps.scanMs ?? (notifications ? 30_000 : 5_000);
      timers.push(setInterval(() => void scan(), scanMs));
      timers.push(setInterval(() => void checkTaken().catch(() => undefined), 3000));
      if (deps.mode === "replace")
        timers.push(
          setInterval(
            () => void monitor.round([...entries.values()].filter((e) => e.board).map((e) => e.key)),
            deps.monitorMs ?? 20_000,
          ),
        );
    },

    /** Sends a command the tracker routed here (already deferred out of the sender's call). */
    send(c: LegacyCommandRequest): Promise<void> {
      const key = keyOf(c.boardId);
      return handOver(c, {
        kind: "bbbread",
        now: deps.now,
        effects: deps.effects,
        board: (key ? entries.get(key)?.board : null) ?? null,
        deliver: async (lc) => {
          if (key) await cmd.rpush(commandKey(key), bbbreadCommand(lc));
        },
        takenOnDelivery: false,
        silenceMs: 2 * periodMs,
      });
    },

    /** The board's `…:Logs` hash, newest first (at most 1,000 entries); null for a board not seen here. */
    async logs(boardId: string): Promise<{ ts: number; text: string }[] | null> {
      const key = keyOf(boardId);
      return key ? logs.all(key) : null;
    },

    /** A command given up on before the board took it leaves the list (a board back days later must not run it). */
    async withdraw(boardId: string, line: string): Promise<void> {
      const key = keyOf(boardId);
      if (key) await cmd.lrem(commandKey(key), 1, line).catch(() => 0);
    },

    stop(): Promise<void> {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      deps.conns.close();
      entries.clear();
      return Promise.resolve();
    },
  };
}
export type BbbreadBridge = ReturnType<typeof createBbbreadBridge>;
