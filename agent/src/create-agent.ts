import { randomBytes } from "node:crypto";
import { hostname as osHostname, networkInterfaces } from "node:os";
import * as path from "node:path";
import type { Logger } from "pino";
import { createTopics } from "@bbb/shared";
import type { ProjectSync } from "./actions/project-sync.js";
import type { ActionSystem } from "./actions/types.js";
import { createHostnameBackend } from "./backends/hostname.js";
import { createLedBackend } from "./backends/leds.js";
import { createNetBackend } from "./backends/net/detect.js";
import { createSystemdBackend } from "./backends/systemd.js";
import { createDispatcher, type Dispatcher } from "./commands/dispatcher.js";
import { caDestinations } from "./epics/ca-destinations.js";
import { createIocMonitor, type IocMonitor } from "./epics/ioc-monitor.js";
import { createIocServiceProbe } from "./epics/ioc-service.js";
import { createPvWatch } from "./epics/pv-watch.js";
import { createNetworkChange } from "./commands/network-change.js";
import { createResultStore } from "./commands/result-store.js";
import type { ResolvedAgentConfig } from "./config/schema.js";
import { createHeartbeatLoop } from "./heartbeat/heartbeat-loop.js";
import type { InterfacesFn } from "./heartbeat/net-facts.js";
import { createSlowFacts } from "./heartbeat/slow-facts.js";
import { parseUptime } from "./heartbeat/system-facts.js";
import { createInventoryReporter } from "./inventory/inventory-reporter.js";
import { readInventory } from "./inventory/read-inventory.js";
import { createBoardLog } from "./mqtt/board-log.js";
import { createConnection, type ConnectFn } from "./mqtt/connection.js";
import { safeUrl } from "./mqtt/refusal-log.js";
import { createNodeSettings } from "./state/node-settings.js";
import { createStateFiles } from "./state/state-files.js";
import { systemClock, type Clock } from "./system/clock.js";
import type { Exec } from "./system/exec.js";
import { createRootedFs, type RootedFs } from "./system/rooted-fs.js";
import { createSharedIntervals } from "./system/shared-intervals.js";
import { AGENT_VERSION } from "./version.js";

export interface AgentDeps {
  config: ResolvedAgentConfig;
  log: Logger;
  exec: Exec;
  /** MQTT.js `connect` (or a wrapper, e.g. the simulator's fault injection). */
  connect: ConnectFn;
  clock?: Clock;
  /** Rooted filesystem; default: config.rootPrefix. */
  fs?: RootedFs;
  projectSync?: ProjectSync;
  /** Uniform [0,1) for the reconnect jitter. */
  random?: () => number;
  /** Live interface addresses; default os.networkInterfaces (the simulator injects its own). */
  interfaces?: InterfacesFn;
  /** PEM CA for mqtts/wss brokers. */
  ca?: string;
  session?: string;
  agentVersion?: string;
  backoff?: { baseMs: number; capMs: number };
}

/**
 * The agent on one board (docs/protocol.md §"Commands and results"): MQTT link with
 * birth/will, heartbeat, command dispatch over pluggable system backends. No I/O until start().
 */
export function createAgent(deps: AgentDeps) {
  const { config } = deps;
  const log = deps.log.child({ boardId: config.boardId });
  const clock = deps.clock ?? systemClock;
  const fs = deps.fs ?? createRootedFs(config.rootPrefix);
  const session = deps.session ?? randomBytes(6).toString("base64url");
  const topics = createTopics(config.topicRoot);
  const files = createStateFiles(path.resolve(config.stateDir));
  const nodeSettings = createNodeSettings(files);
  const systemd = createSystemdBackend(deps.exec);
  const leds = createLedBackend({ fs, log });
  // One wake-up per heartbeat period for all periodic work: the heartbeat, the keepalive check and
  // the polls whose periods are multiples of it (CPU per beat, BENCHMARKS.md §"Agent footprint").
  const intervals = createSharedIntervals(config.heartbeatMs);
  const conn = createConnection({
    intervals,
    urls: config.mqttUrls,
    boardId: config.boardId,
    token: config.token,
    ca: deps.ca,
    keepaliveS: config.keepaliveS,
    topicRoot: config.topicRoot,
    session,
    connect: deps.connect,
    clock,
    log,
    random: deps.random,
    backoff: deps.backoff,
  });
  const boardLog = createBoardLog({
    clock,
    publish: (p) => conn.publishVolatile(topics.log(config.boardId), p, false),
  });
  const store = createResultStore({ files, onPersistError: (e) => log.warn({ err: e }, "result store write failed") });
  let dispatcher: Dispatcher | null = null;
  let heartbeat: ReturnType<typeof createHeartbeatLoop> | null = null;
  let slow: ReturnType<typeof createSlowFacts> | null = null;
  let iocs: IocMonitor | null = null;
  const inventory = createInventoryReporter({
    read: () =>
      readInventory(fs, {
        id: config.boardId,
        agentVersion: deps.agentVersion ?? AGENT_VERSION,
        nodeVersion: process.version,
        now: clock.now(),
      }),
    publish: (p) => conn.publishReliable(topics.inventory(config.boardId), p, true),
    intervalMs: config.inventoryPollMs,
    log,
    intervals,
  });
  let started = false;
  let frozen = false;
  let linkWired = false;
  let firstConnect = true;
  let netKind = "";

  const uptime = async () =>
    parseUptime((await fs.tryReadSmall("/proc/uptime", 128)) ?? "") ?? Math.round(process.uptime());

  return {
    session,
    boardId: config.boardId,
    async start(): Promise<void> {
      if (started) return;
      started = true;
      const net = await createNetBackend(fs, config.netInterface, config.netBackend, deps.interfaces);
      await nodeSettings.load();
      const closed = await store.load(clock.now());
      const sys: ActionSystem = {
        config,
        clock,
        log,
        session,
        net,
        hostname: createHostnameBackend(fs),
        systemd,
        leds,
        nodeSettings,
        projectSync: deps.projectSync,
        changeNetwork: createNetworkChange({ link: conn, deadlineMs: config.networkConfirmMs, log }),
        uptime,
      };
      slow = createSlowFacts({
        fs,
        exec: deps.exec,
        net,
        iface: config.netInterface,
        interfaces: deps.interfaces,
        systemd,
        services: config.services,
        intervalMs: config.servicePollMs,
        log,
        now: () => clock.now(),
        timeSyncPollMs: config.timeSyncPollMs,
        intervals,
      });
      const s = slow;
      dispatcher = createDispatcher({
        boardId: config.boardId,
        topicRoot: config.topicRoot,
        sys,
        exec: deps.exec,
        store,
        publish: (t, p) => conn.publishReliable(t, p),
        afterAction: () => s.refresh(),
        boardLog,
        log,
      });
      await slow.start();
      heartbeat = createHeartbeatLoop({
        boardId: config.boardId,
        session,
        iface: config.netInterface,
        configuredType: config.type,
        agentVersion: deps.agentVersion ?? AGENT_VERSION,
        periodMs: config.heartbeatMs,
        fs,
        clock,
        log,
        slow: () => s.get(),
        nodeSettings,
        projectSync: deps.projectSync,
        intervals,
        publish: (p) => conn.publishVolatile(topics.heartbeat(config.boardId), p, true),
        canPublish: () => conn.isConnected() && !frozen,
      });
      const hb = heartbeat;
      iocs = createIocMonitor({
        session,
        now: () => clock.now(),
        log,
        services: createIocServiceProbe({ exec: deps.exec, fs, files, timeoutMs: 3000 }),
        pvs: createPvWatch({
          destinations: () =>
            caDestinations({
              addrList: config.caAddrList,
              autoAddrList: config.caAutoAddrList,
              serverPort: config.caServerPort,
              interfaces: (deps.interfaces ?? networkInterfaces)(),
            }),
          timeoutMs: 1000,
          clientName: "bbb-agent",
          hostName: osHostname(),
          // A dead IOC's circuit closes at once: report it now, not at the next check.
          onDrop: () => void iocs?.poll(),
          isLocal: (server) => {
            const h = server.slice(0, server.lastIndexOf(":"));
            return h.startsWith("127.") || Object.values((deps.interfaces ?? networkInterfaces)()).some((l) => (l ?? []).some((i) => i.address === h));
          },
          now: () => clock.now(),
          log,
        }),
        currentType: () => hb.currentType(),
        pvPrefixes: () => nodeSettings.get().pvPrefix ?? [],
        typeTopic: (t) => topics.registryType(t),
        follow: (t) => conn.follow(t),
        publish: (p) => void conn.publishReliable(topics.iocs(config.boardId), p, true),
        pollMs: config.iocPollMs,
        intervals,
      });
      // The link's handlers are registered once and reach the current dispatcher and heartbeat:
      // an agent stopped and started again must not answer a command twice (once from the
      // stopped dispatcher, which fails it as AGENT_E_STOPPING).
      if (!linkWired) {
        linkWired = true;
        conn.onMessage((t, p, retained) => {
          const d = dispatcher;
          if (frozen || !d) return;
          // The followed type declaration is retained by nature (docs/epics.md).
          if (iocs?.handle(t, p)) return;
          // docs/protocol.md §"Authentication and ACL": commands are never retained (the broker refuses them); one that is would
          // run again at every reconnect, so it is dropped.
          if (retained) return void log.warn({ topic: t }, "retained command ignored");
          try {
            d.handle(t, p);
          } catch (e: unknown) {
            // A bad message never kills the agent.
            log.error({ err: e, topic: t }, "command handling failed");
          }
        });
        conn.onConnect(() => {
          heartbeat?.beat();
          iocs?.resend();
          // Retained, so sent again after a reconnect only in case the broker lost it (a restart).
          if (!firstConnect) void inventory.check(true);
          if (firstConnect)
            boardLog.info(`agent ${deps.agentVersion ?? AGENT_VERSION} started (network backend ${netKind})`);
          firstConnect = false;
        });
      }
      netKind = net.kind;
      dispatcher.republish(closed);
      log.info({ backend: net.kind, session, urls: config.mqttUrls.map(safeUrl) }, "agent starting");
      conn.start();
      heartbeat.start();
      iocs.start();
      inventory.start();
    },
    /** Clean stop: pending command aborted, LEDs restored, `offline` published, link closed. */
    async stop(): Promise<void> {
      if (!started) return;
      started = false;
      heartbeat?.stop();
      slow?.stop();
      iocs?.stop();
      inventory.stop();
      await leds.restore();
      const d = dispatcher;
      // Give a running command a moment to settle (it sees the abort); never hang the stop on it.
      if (d) await Promise.race([d.stop(), new Promise((r) => setTimeout(r, 3000).unref())]);
      await conn.stop();
      log.info("agent stopped");
    },
    isConnected: () => conn.isConnected(),
    /** The board's type as the heartbeat reports it (the project sync fetches that type's project). */
    currentType: (): string => heartbeat?.currentType() ?? nodeSettings.get().type ?? config.type ?? "undefined",
    /** Simulator fault: a hung board (no heartbeats, no answers; its socket stays open). */
    setFrozen(f: boolean) {
      frozen = f;
      conn.setFrozen(f);
    },
    /** One heartbeat as it would be sent now (tests, diagnostics). */
    heartbeatNow() {
      if (!heartbeat) throw new Error("agent not started");
      return heartbeat.build();
    },
  };
}
export type Agent = ReturnType<typeof createAgent>;
