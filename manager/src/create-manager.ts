import type { UserStore } from "@bbb/broker";
import { createTopics, defaultSectors, DEFAULT_THRESHOLDS, mergeThresholds, type LoginThrottle, type Topics } from "@bbb/shared";
import type { Logger } from "pino";
import { createCommandTracker } from "./commands/command-tracker.js";
import { createCommandRunner } from "./commands/run-command.js";
import type { Config } from "./config/schema.js";
import { createIngest, type IngestObserver } from "./mqtt/create-ingest.js";
import type { ManagerLink } from "./mqtt/link.js";
import { createMqttLink } from "./mqtt/mqtt-link.js";
import { createPublisher } from "./publisher/create-publisher.js";
import { createRegistry, type Registry } from "./registry/create-registry.js";
import { createRegistryEditor } from "./registry/registry-editor.js";
import { createEventBus, type EventBus } from "./service/events.js";
import { createRegistrySink } from "./service/registry-sink.js";
import type { MethodDef, MethodTable } from "./service/method.js";
import { createMethodTable, type ServiceDeps } from "./service/methods/index.js";
import { createMqttRequests } from "./front/mqtt-requests.js";
import { createMqttLogin } from "./front/mqtt-login.js";
import type { RequestTokens } from "./front/request-tokens.js";
import { createStore, type Store } from "./store/create-store.js";
import type { Sessions } from "./front/sessions.js";
import { createAuditSink } from "./service/audit.js";
import { toManagerError } from "./projects/project-methods.js";
import { checkSource } from "./projects/source-policy.js";
import { createHealthHistory, type HealthHistory } from "./health/health-history.js";
import { createHealthRecorder } from "./health/health-events.js";
import { expireLostBoards } from "./service/forget-board.js";

export type ManagerConfig = Pick<
  Config,
  | "topicRoot"
  | "dataDir"
  | "heartbeatMs"
  | "rebootGraceMs"
  | "flapMaxChanges"
  | "flapWindowMs"
  | "historyRetentionDays"
  | "healthHistory"
  | "healthHistoryMaxMb"
  | "thresholds"
  | "forgetLostAfterHours"
  | "volatileRefreshMs"
  | "viewRefreshMs"
  | "restartGraceMs"
  | "projectRoots"
  | "gitHosts"
>;

export interface ManagerDeps {
  log: Logger;
  config: ManagerConfig;
  /** The broker to use: an in-process link to the embedded one, or a network MQTT client. */
  link: ManagerLink | { url: string; password: string; username?: string; ca?: string | Buffer };
  version: string;
  users?: UserStore;
  /** API tokens and signing a user out on every door (front/sessions.ts). */
  sessions?: Sessions;
  /**
   * Who sent an MQTT request (docs/protocol.md §"Manager requests"): the key our broker signs its
   * stamps with, and the doors' shared login throttle for `auth.login`.
   */
  requestIdentity?: { stampKey: Buffer; throttle: LoginThrottle; tokens: RequestTokens };
  now?: () => number;
  ports?: () => Record<string, number | null>;
  broker?: () => { mode: "embedded" | "external"; clients: number | null };
  /** Extra method lists (CSV import/export, projects …) built from the service deps. */
  extraMethods?: ((deps: ServiceDeps) => readonly MethodDef[])[];
  /** Start-up window in which retained messages rebuild the registry before ghosts are cleared. */
  settleMs?: number;
  /** Hot-path counters for /metrics (src/ops): inbound board messages and MQTT request durations. */
  observe?: { ingest?: IngestObserver; request?: (method: string, seconds: number, ok: boolean) => void };
}

/**
 * The manager core: store, registry, publisher, commands and the service layer over one
 * broker link. Front doors (HTTP, socket, SFTP) are wired around it by createServer.
 */
export function createManager(deps: ManagerDeps) {
  const base = deps.log;
  const log = base.child({ module: "manager" });
  const now = deps.now ?? Date.now;
  const cfg = deps.config;
  const topics: Topics = createTopics(cfg.topicRoot);
  const events: EventBus = createEventBus();
  let client: ManagerLink | null = null;
  let store: Store | null = null;
  let table: MethodTable = new Map();
  let ready = false;
  const timers: NodeJS.Timeout[] = [];
  const startedAt = now();
  const retainedSeen = new Map<string, "node" | "type" | "host">();
  let unshareUsers: (() => void) | null = null;
  let health: HealthHistory | null = null;
  const fleetThresholds = mergeThresholds(DEFAULT_THRESHOLDS, cfg.thresholds);
  const healthEvents = createHealthRecorder({ record: (e) => store?.record(e), log });

  const publish = (topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain: boolean }) => {
    client?.publish(topic, payload, opts);
  };
  const getStore = (): Store => {
    if (!store) throw new Error("manager not started");
    return store;
  };

  const publisher = createPublisher({
    log: base,
    now,
    topics,
    publish,
    registry: () => registry,
    volatileRefreshMs: cfg.volatileRefreshMs,
    viewRefreshMs: cfg.viewRefreshMs,
  });
  const registry: Registry = createRegistry({
    log: base,
    now,
    heartbeatMs: cfg.heartbeatMs,
    rebootGraceMs: cfg.rebootGraceMs,
    flap: { maxChanges: cfg.flapMaxChanges, windowMs: cfg.flapWindowMs },
    health: { fleet: () => fleetThresholds, sink: healthEvents },
    sink: createRegistrySink({ publisher, events, store: () => store, registry: () => registry, now }),
  });
  const tracker = createCommandTracker({
    log: base,
    now,
    topics,
    publish: (t, p, o) => publish(t, p, o),
    events,
    record: (e) => store?.record(e),
    onRebootAccepted: (id) => registry.markRebooting(id),
    onNetworkChange: (id, active) => registry.markNetworkChange(id, active),
  });
  const ingest = createIngest({
    log: base,
    topicRoot: cfg.topicRoot,
    registry: () => registry,
    tracker,
    onHeartbeat: (id, hb) => health?.observe(id, hb, now()),
    onRetainedRegistryTopic: (topic, kind) => {
      if (!ready) retainedSeen.set(topic, kind);
    },
    ...(deps.observe?.ingest ? { observe: deps.observe.ingest } : {}),
  });
  const audit = createAuditSink({ repo: () => getStore().audit, now, log });
  const requests = createMqttRequests({
    audit,
    log: base,
    topics,
    table: () => table,
    publish: (t, p, o) => publish(t, p, o),
    ...(deps.observe?.request ? { observe: deps.observe.request } : {}),
    ...(deps.requestIdentity ? { stampKey: deps.requestIdentity.stampKey } : {}),
    ...(deps.sessions ? { tokens: deps.sessions.tokens } : {}),
    ...(deps.requestIdentity ? { requestTokens: deps.requestIdentity.tokens } : {}),
    ...(deps.users && deps.requestIdentity
      ? {
          login: createMqttLogin({
            authenticate: (u, p) => (deps.users as UserStore).verify(u, p),
            tokens: deps.requestIdentity.tokens,
            throttle: deps.requestIdentity.throttle,
            log: base,
          }),
        }
      : {}),
  });

  const serviceDeps = (): ServiceDeps => ({
    log,
    now,
    version: deps.version,
    topicRoot: cfg.topicRoot,
    startedAt,
    registry,
    editor: createRegistryEditor({ now, store: getStore(), registry, publisher, topics }),
    store: getStore(),
    runner: createCommandRunner({ log: base, now, store: getStore(), registry: () => registry, tracker }),
    publisher,
    users: deps.users,
    ...(deps.sessions ? { sessions: deps.sessions } : {}),
    ports: deps.ports ?? (() => ({})),
    broker: deps.broker ?? (() => ({ mode: "external", clients: null })),
    checkSource: (source) =>
      checkSource({ projectRoots: cfg.projectRoots, gitHosts: cfg.gitHosts, dataDir: cfg.dataDir }, source).catch(
        (e: unknown) => {
          throw toManagerError(e);
        },
      ),
    ...(health ? { health } : {}),
    clearBoardTopics: (id) => {
      publish(topics.status(id), "", { qos: 1, retain: true });
      publish(topics.heartbeat(id), "", { qos: 1, retain: true });
      publish(topics.iocs(id), "", { qos: 1, retain: true });
      publish(topics.inventory(id), "", { qos: 1, retain: true });
    },
  });
  let service: ServiceDeps | null = null;

  function settle(): void {
    for (const id of registry.settle()) publisher.clear(topics.registryHost(id));
    for (const [topic, kind] of retainedSeen) {
      const name = topic.slice(topic.lastIndexOf("/") + 1);
      if (kind === "node" && !registry.nodes.has(name)) publisher.clear(topic);
      if (kind === "type" && !registry.types.has(name)) publisher.clear(topic);
    }
    retainedSeen.clear();
    client?.unsubscribe([
      `${topics.root}/registry/nodes/+`,
      `${topics.root}/registry/types/+`,
      `${topics.root}/registry/hosts/+`,
    ]);
    for (const h of registry.nodes.keys()) publisher.nodeChanged(h);
    for (const t of registry.types.values()) publisher.typeChanged(t);
    publisher.flushNow();
    ready = true;
    log.info({ boards: registry.records.size, nodes: registry.nodes.size }, "registry rebuilt from retained messages");
  }

  function expireLost(): void {
    if (!ready || !service) return;
    try {
      const ids = expireLostBoards(service, cfg.forgetLostAfterHours * 3_600_000);
      if (ids.length > 0) log.info({ boards: ids, afterHours: cfg.forgetLostAfterHours }, "lost boards forgotten");
    } catch (err: unknown) {
      log.error({ err }, "expiry of lost boards failed");
    }
  }

  function prune(): void {
    const before = now() - cfg.historyRetentionDays * 86_400_000;
    try {
      const n = getStore().history.prune(before);
      const r = getStore().runs.prune(before);
      const a = getStore().audit.prune(before);
      if (n + r + a > 0) log.info({ history: n, runs: r, audit: a }, "history pruned");
    } catch (err: unknown) {
      log.error({ err }, "history prune failed");
    }
  }

  return {
    topics,
    events,
    registry,
    publisher,
    tracker,
    ingest,
    get store(): Store {
      return getStore();
    },
    get table(): MethodTable {
      return table;
    },
    get service(): ServiceDeps {
      if (!service) throw new Error("manager not started");
      return service;
    },
    ready: () => ready,
    /** Publishes on the manager's link (a bridge's board log lines); dropped while the link is down. */
    publish,
    /** Whether the data dir takes writes; null before start. */
    storeHealth: () => store?.health() ?? null,
    connected: () => client?.connected() ?? false,
    markDuplicate: (boardId: string) => registry.markDuplicate(boardId),
    /** Where every door records its mutating calls (docs/protocol.md "Audit trail"). */
    audit,

    async start(): Promise<void> {
      store = createStore({ dataDir: cfg.dataDir, log: base });
      if (store.registry.seedSectors(defaultSectors())) log.info("default sectors seeded");
      const interrupted = store.runs.markInterrupted(now(), (runId) => ({
        ts: now(),
        kind: "run",
        boardId: null,
        hostname: null,
        by: null,
        message: `run ${runId} interrupted by a manager restart`,
        data: { runId },
      }));
      if (interrupted.length > 0) log.warn({ runs: interrupted }, "command runs interrupted by the last stop");
      registry.setSectors(store.registry.listSectors());
      registry.setTypes(store.registry.listTypes());
      registry.setNodes(store.registry.listNodes());
      registry.seedReboots(store.history.rebootCounts(now() - 86_400_000));
      const restored = registry.restoreKnown(store.knownBoards(), cfg.restartGraceMs);
      if (restored > 0) log.info({ boards: restored, graceMs: cfg.restartGraceMs }, "boards of the last run restored");
      if (cfg.healthHistory) {
        health = createHealthHistory({
          dataDir: cfg.dataDir,
          log: base,
          now,
          maxBytes: cfg.healthHistoryMaxMb * 1024 * 1024,
        });
        await health.start();
      }
      service = serviceDeps();
      table = createMethodTable(service, ...(deps.extraMethods ?? []).map((f) => f(service as ServiceDeps)));

      const c: ManagerLink = "open" in deps.link ? deps.link : createMqttLink({ ...deps.link, topics, log: base });
      client = c;
      const online = () =>
        c.publish(topics.managerStatus(), JSON.stringify({ v: 1, state: "online", ts: now(), version: deps.version }), {
          qos: 1,
          retain: true,
        });
      // docs/deployment.md "Docker Swarm": broker replicas take their users from this retained copy.
      const shareUsers = () => {
        if (deps.users) c.publish(topics.userStore(), deps.users.snapshot(), { qos: 1, retain: true });
      };
      let subscribed = false;
      // `online` only once requests can be answered: after the first subscription, and on every
      // reconnect (MQTT.js resubscribes before anything published here).
      await c.open({
        message: (topic, payload, retained) => {
          try {
            if (topic.startsWith(topics.root + "/manager/request/")) requests.handle(topic, payload);
            else ingest.handle(topic, payload, retained);
          } catch (err: unknown) {
            log.error({ err, topic }, "message handling failed");
          }
        },
        up: () => {
          registry.setLinkUp(true);
          if (!subscribed) return;
          online();
          shareUsers();
          publisher.republishAll();
        },
        down: () => registry.setLinkUp(false),
      });
      const f = topics.filters;
      // Retained registry topics first: previous host views keep their stateSince across a restart.
      await c.subscribe([
        `${topics.root}/registry/hosts/+`,
        `${topics.root}/registry/nodes/+`,
        `${topics.root}/registry/types/+`,
      ]);
      await c.subscribe([f.allStatus, f.allHeartbeats, f.allResults, f.allIocs, f.allInventory, f.managerRequests]);
      subscribed = true;
      online();
      shareUsers();
      if (deps.users) unshareUsers = deps.users.onChange(shareUsers);
      publisher.start();
      tracker.start();
      // After the loop's next I/O phase: timers run before I/O, so after a stall of this thread
      // the heartbeats queued behind it (the broker's thread, the link's socket) would be read
      // only after every board had been judged silent and shown `lost`.
      timers.push(setInterval(() => setImmediate(() => registry.sweep()), 100));
      timers.push(setInterval(prune, 3600_000));
      if (cfg.forgetLostAfterHours > 0) timers.push(setInterval(expireLost, 60_000));
      timers.push(setTimeout(settle, deps.settleMs ?? 1500));
      prune();
    },

    async stop(): Promise<void> {
      unshareUsers?.();
      unshareUsers = null;
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      publisher.stop();
      tracker.stop();
      const c = client;
      client = null;
      // A clean stop says so at once rather than leaving it to the will.
      await c?.close({
        topic: topics.managerStatus(),
        payload: JSON.stringify({ v: 1, state: "offline", ts: now(), version: deps.version }),
        opts: { qos: 1, retain: true },
      });
      await health?.stop();
      health = null;
      store?.close();
      store = null;
      ready = false;
    },
  };
}
export type Manager = ReturnType<typeof createManager>;
