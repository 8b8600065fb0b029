import type { Extension, ServerContext } from "../extension.js";
import { MANAGER_VERSION } from "../version.js";
import { ManagerErrorCodes } from "../errors.js";
import { createBackupMethods } from "./backup/backup-methods.js";
import { createBackupRoute } from "./backup/backup-route.js";
import { createBackupService, type BackupService } from "./backup/backup-service.js";
import { createFleetMetrics } from "./metrics/fleet-metrics.js";
import { createMetricsRoute } from "./metrics/metrics-route.js";
import { registerHealthHistoryMetrics, type HealthHistoryStats } from "./metrics/health-history-metrics.js";
import { registerProcessMetrics } from "./metrics/process-metrics.js";
import type { MetricsRegistry } from "./metrics/prometheus.js";
import { CodedError } from "@bbb/shared";

export const METRICS_PATH = "/metrics";

/**
 * Operations (docs/deployment.md §"Health and metrics"): Prometheus metrics at GET /metrics on the HTTP port, and backups
 * (`server.backup` / `server.backupChunk` on every front door, `POST /api/server/backup` on REST).
 * Its `observe` hooks are handed to the manager before it starts (hot-path counters).
 */
export function createOpsExtension(opts: { register?: (r: MetricsRegistry) => void } = {}): Extension {
  const metrics = createFleetMetrics();
  // Other extensions' metrics (the legacy bridges' dropped datagrams) join the same registry.
  opts.register?.(metrics.registry);
  const processMetrics = { current: null as ReturnType<typeof registerProcessMetrics> | null };
  // The running server's health history (null while stopped or switched off).
  let healthStats: (() => HealthHistoryStats | null) | null = null;
  registerHealthHistoryMetrics(metrics.registry, () => healthStats?.() ?? null);
  let backups: BackupService | null = null;
  let detach: (() => void) | null = null;
  let unmount: (() => void) | null = null;
  const getBackups = () => {
    if (!backups) throw new CodedError(ManagerErrorCodes.UNAVAILABLE, "backups are not available yet");
    return backups;
  };

  return {
    name: "ops",
    observe: metrics.observer,
    methods: () => createBackupMethods(getBackups),
    start(ctx: ServerContext) {
      const { config, manager } = ctx;
      const log = ctx.log.child({ module: "ops" });
      // Registered once per extension: the same registry survives a stop/start of the server.
      processMetrics.current ??= registerProcessMetrics(metrics.registry, {
        dataDir: config.dataDir,
        startedAtMs: Date.now(),
        version: MANAGER_VERSION,
      });
      processMetrics.current.start();
      healthStats = () => manager.service.health?.stats() ?? null;
      detach = metrics.attach({
        summary: () => manager.publisher.summary(),
        record: (id) => manager.registry.records.get(id),
        records: () => manager.registry.records.values(),
        heartbeatMs: config.heartbeatMs,
        runsActive: () => manager.service.runner.activeCount(),
        mqttConnected: () => manager.connected(),
        ready: () => manager.ready(),
        methodKnown: (name) => manager.table.has(name),
        events: ctx.events,
        broker: ctx.broker,
      });
      ctx.http.setPathHandler(
        METRICS_PATH,
        createMetricsRoute(() => metrics.registry.render(), config.metricsToken),
      );
      unmount = () => ctx.http.setPathHandler(METRICS_PATH, null);
      backups = createBackupService({
        dataDir: config.dataDir,
        keep: config.backupKeep,
        version: MANAGER_VERSION,
        backupDb: (file) => manager.store.backup(file),
        log,
      });
      const api = createBackupRoute({
        backups: getBackups,
        authenticate: (u, p) => ctx.users.verify(u, p),
        // The same tokens as every other door: a revoked one stops working here too.
        tokens: ctx.sessions.tokens,
        throttle: ctx.loginThrottle,
        log,
      });
      return Promise.resolve({ api });
    },
    stop() {
      unmount?.();
      unmount = null;
      detach?.();
      detach = null;
      processMetrics.current?.stop();
      healthStats = null;
      backups = null;
      return Promise.resolve();
    },
  };
}
