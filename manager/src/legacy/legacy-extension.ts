import type { Extension, ServerContext } from "../extension.js";
import type { Counter, MetricsRegistry } from "../ops/metrics/prometheus.js";
import { createBbbreadBridge, type BbbreadBridge } from "./bbbread-bridge.js";
import { connectBbbread } from "./bbbread-redis.js";
import { createDaemonBridge, type DaemonBridge } from "./daemon-bridge.js";
import type { DropReason } from "./daemon-ping.js";
import { legacyBoardId } from "./legacy-board.js";
import { bbbreadCommand } from "./legacy-commands.js";
import { createLegacyEffects } from "./legacy-effects.js";
import { createLegacyFleet } from "./legacy-fleet.js";
import { createLegacyRoute } from "./legacy-router.js";
import { createMigrationMethods } from "./migration-methods.js";

export interface LegacyExtensionOptions {
  /** bbbread bridge's full scan and replace-mode loop periods (tests shorten them). */
  bbbread?: { scanMs?: number; monitorMs?: number; periodMs?: number };
  /** bbb-daemon ping period (tests shorten it). */
  daemon?: { periodMs?: number };
}

/**
 * The bridges to the old daemons (docs/legacy-protocols.md, docs/migration.md): bbbread through
 * its central Redis, bbb-daemon through its UDP pings. Both off unless configured; the
 * migration methods are always there.
 */
export function createLegacyExtension(opts: LegacyExtensionOptions = {}) {
  let bbbread: BbbreadBridge | null = null;
  let daemon: DaemonBridge | null = null;
  let daemonPort: number | null = null;
  let mode: "beside" | "replace" | null = null;
  let timer: NodeJS.Timeout | null = null;
  let detachRoute: (() => void) | null = null;
  const dropped = new Map<DropReason, number>();
  let droppedMetric: Counter | null = null;

  const extension: Extension & { registerMetrics(r: MetricsRegistry): void } = {
    name: "legacy",
    /** `bbb_legacy_udp_dropped_total{reason}` on /metrics (the ops extension's registry). */
    registerMetrics(r) {
      droppedMetric = r.counter("bbb_legacy_udp_dropped_total", "bbb-daemon datagrams dropped, by reason");
    },
    methods: createMigrationMethods({
      bridges: () => ({
        bbbread: {
          on: bbbread !== null,
          mode,
          keyspaceEvents: bbbread?.notifications() ?? null,
          hashes: bbbread?.boards() ?? 0,
        },
        bbbDaemon: {
          on: daemon !== null,
          port: daemonPort,
          boards: daemon?.boards() ?? 0,
          dropped: Object.fromEntries(dropped),
        },
      }),
      logs: async (id) => (bbbread ? bbbread.logs(id) : null),
    }),

    async start(ctx: ServerContext) {
      const { config, manager } = ctx;
      if (config.legacyBbbreadRedis === undefined && config.legacyUdpPort === undefined) return;
      const log = ctx.log.child({ module: "legacy" });
      const now = Date.now;
      const fleet = createLegacyFleet({ log, now, registry: () => manager.registry });
      const effects = createLegacyEffects({
        now,
        report: (boardId, r, board) => {
          manager.tracker.handleResult(boardId, r.id, r);
          const current = board ? legacyBoardId(board.ip) : boardId;
          // A result decided after the board moved is recorded under the id it had; it follows it.
          if (current !== boardId) {
            manager.store.rekeyBoard(boardId, current);
            // The tracker ended the network-change quiet window of the id it knows; the board has a new one.
            manager.registry.markNetworkChange(current, false);
          }
          if (r.action === "reboot" && r.status === "succeeded") fleet.restarted(current);
        },
        expired: (w) => {
          if (!w.taken && manager.registry.records.get(w.boardId)?.agent === "bbbread")
            void bbbread?.withdraw(w.boardId, bbbreadCommand(w.cmd));
        },
      });
      timer = setInterval(() => effects.tick(), 1000);
      if (config.legacyBbbreadRedis !== undefined) {
        mode = config.legacyBbbreadMode;
        bbbread = createBbbreadBridge({
          log,
          now,
          conns: connectBbbread(config.legacyBbbreadRedis, log),
          mode,
          fleet,
          effects,
          ...opts.bbbread,
          onLog: (boardId, b, epochS, text) => {
            const ts = epochS * 1000;
            manager.store.record({
              ts,
              kind: "log",
              boardId,
              hostname: b.hostname,
              by: "bbbread",
              message: text.slice(0, 1024),
              data: null,
            });
            const line = { v: 1, level: "info", msg: text.slice(0, 4096), ts };
            manager.publish(manager.topics.log(boardId), JSON.stringify(line), { qos: 0, retain: false });
          },
        });
        await bbbread.start();
      }
      if (config.legacyUdpPort !== undefined) {
        daemon = createDaemonBridge({
          log,
          now,
          port: config.legacyUdpPort,
          bind: config.bind,
          commandPort: config.legacyDaemonCommandPort,
          ...opts.daemon,
          fleet,
          effects,
          dropped: (reason) => {
            dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
            droppedMetric?.inc({ reason });
          },
        });
        daemonPort = await daemon.start();
      }
      const b = bbbread;
      const d = daemon;
      manager.tracker.setRoute(
        createLegacyRoute(
          () => manager.registry,
          { ...(b ? { bbbread: (c) => b.send(c) } : {}), ...(d ? { "bbb-daemon": (c) => d.send(c) } : {}) },
          config.rebootGraceMs,
        ),
      );
      detachRoute = () => manager.tracker.setRoute(null);
      const ports: Record<string, number> = {};
      if (daemonPort !== null) ports.legacyUdp = daemonPort;
      return { ports };
    },

    async stop() {
      detachRoute?.();
      detachRoute = null;
      if (timer) clearInterval(timer);
      timer = null;
      await bbbread?.stop();
      await daemon?.stop();
      bbbread = null;
      daemon = null;
      daemonPort = null;
      mode = null;
    },
  };
  return extension;
}
