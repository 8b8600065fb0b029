import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deriveManagerPassword, deriveStampKey, type Broker } from "@bbb/broker";
import { CodedError, MANAGER_USERNAME, MQTT_WS_PATH, createLoginThrottle } from "@bbb/shared";
import type { Logger } from "pino";
import type { Config } from "./config/schema.js";
import { createSessions } from "./front/sessions.js";
import { createTokenFile, TOKENS_FILE } from "./front/token-file.js";
import { apiTokenKey, createTokenService } from "./front/tokens.js";
import { createRequestTokens, requestTokenKey } from "./front/request-tokens.js";
import { createManager, type Manager } from "./create-manager.js";
import { createHttpServer, type ApiHandler, type HttpServer } from "./http/create-http-server.js";
import { createLocalLink } from "./mqtt/local-link.js";
import { createReadiness } from "./ops/health.js";
import { attachWsProxy } from "./ops/ws-proxy.js";
import { attachWsTcpBridge } from "./ops/ws-tcp-bridge.js";
import type { Extension, ServerContext } from "./extension.js";
import { ManagerErrorCodes } from "./errors.js";
import { bootServer, type ServerBoot } from "./server-boot.js";
import { MANAGER_VERSION } from "./version.js";

export interface ServerOptions {
  config: Config;
  log: Logger;
  extensions?: readonly Extension[];
  /** Folder of the built dashboard; default config.dashboardDir, else dashboard/dist of this checkout. */
  staticDir?: string | null;
  /** Start-up settle window of the registry (tests shorten it). */
  settleMs?: number;
  /** bootServer()'s result when it ran before this module loaded (main.ts); else start() runs it. */
  boot?: ServerBoot;
}

export interface StartedServer {
  ports: Record<string, number | null>;
  urls: { http: string; mqtt: string; ws: string };
  /** Set on the first start only, when the admin password was generated: print it once. */
  generatedAdminPassword: string | null;
}

function defaultDashboardDir(): string {
  // manager/dist/create-server.js → dashboard/dist
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../dashboard/dist");
}

const hostFor = (bind: string) => (bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind);

/**
 * The all-in-one server (docs/architecture.md): embedded broker (unless BBB_MQTT_URL names an
 * external one), the manager, the HTTP port (dashboard, /api, MQTT over WebSocket) and the
 * optional extensions. `stop()` undoes all of `start()`.
 */
export function createServer(opts: ServerOptions) {
  const { config, log } = opts;
  const ports: Record<string, number | null> = { mqtt: null, mqtts: null, http: null };
  let broker: Broker | null = null;
  let manager: Manager | null = null;
  let http: HttpServer | null = null;
  let lock: ServerBoot["lock"] | null = null;
  let detachWsProxy: (() => void) | null = null;
  const started: Extension[] = [];

  return {
    get manager(): Manager {
      if (!manager) throw new Error("server not started");
      return manager;
    },
    get broker(): Broker | null {
      return broker;
    },
    ports,

    async start(): Promise<StartedServer> {
      // The data dir, its lock, the secrets and the broker's thread (server-boot.ts): main.ts
      // runs that before it loads this module, so the broker may be listening already.
      const boot = opts.boot ?? (await bootServer(config, log));
      lock = boot.lock;
      broker = boot.broker;
      const { fleetSecret, users, adminReady, tls } = boot;
      boot.setKnownBoard((id) => {
        const reg = manager?.registry;
        return reg !== undefined && (reg.records.has(id) || [...reg.nodes.values()].some((n) => n.boardId === id));
      });
      // One token service for every door (REST, socket, backups), its ids kept in the data dir.
      const sessions = createSessions({
        tokens: createTokenService({
          secret: apiTokenKey(fleetSecret),
          persistence: createTokenFile(join(config.dataDir, TOKENS_FILE), (err) =>
            log.error({ err }, "API token list unreadable: every token is revoked"),
          ),
        }),
        log,
      });

      let mqttUrl = config.mqttUrl ?? null;
      if (boot.brokerListening) {
        // On its own thread (docs/architecture.md §"The broker's thread").
        const b = await boot.brokerListening;
        ports.mqtt = b.mqttPort;
        ports.mqtts = b.mqttsPort;
        mqttUrl = `mqtt://${hostFor(config.bind)}:${b.mqttPort}`;
        log.info({ port: b.mqttPort, mqttsPort: b.mqttsPort }, "broker listening");
        // `npm run demo` on the same data dir attaches its boards to this broker (demo/main.ts).
        lock.annotate({ mqttUrl });
      }
      if (mqttUrl === null) throw new CodedError(ManagerErrorCodes.CONFIG, "no broker: the boot ran without the embedded one and BBB_MQTT_URL is unset");

      const { generatedPassword } = await adminReady;

      // One throttle for the manager's doors (docs/protocol.md §"Login throttle"), MQTT's auth.login included.
      const loginThrottle = createLoginThrottle();
      const requestTokens = createRequestTokens({ key: requestTokenKey(fleetSecret), users });
      // "Sign out everywhere" ends the user's auth.login tokens too (docs/protocol.md "Sessions").
      sessions.onSignOut((t) => ("username" in t ? (requestTokens.signOut(t.username), 0) : 0));
      const staticDir = opts.staticDir === undefined ? (config.dashboardDir ?? defaultDashboardDir()) : opts.staticDir;
      const m = createManager({
        log,
        config,
        // The embedded single broker's manager subscribes in-process (docs/protocol.md "Liveness").
        // An external tier, or a Redis cluster whose other replicas must publish the manager's
        // will if this process dies, gets a network client.
        link:
          broker && !config.redisUrl
            ? createLocalLink(broker, log)
            : { url: mqttUrl, username: MANAGER_USERNAME, password: deriveManagerPassword(fleetSecret) },
        version: MANAGER_VERSION,
        users,
        sessions,
        requestIdentity: { stampKey: deriveStampKey(fleetSecret), throttle: loginThrottle, tokens: requestTokens },
        ports: () => ({ ...ports }),
        broker: () =>
          broker ? { mode: "embedded", clients: broker.connectedClients() } : { mode: "external", clients: null },
        extraMethods: (opts.extensions ?? []).flatMap((e) => (e.methods ? [e.methods] : [])),
        settleMs: opts.settleMs,
        observe: (opts.extensions ?? []).find((e) => e.observe)?.observe,
      });
      manager = m;
      // MQTT, the dashboard's WebSocket included: a signed-out user's connections close at once.
      const b = broker;
      if (b) sessions.onSignOut((t, act) => ("username" in t ? b.disconnectUser(t.username, act) : 0));
      const h = createHttpServer({
        log,
        staticDir,
        allowedOrigins: config.allowedOrigins,
        health: () => ({
          version: MANAGER_VERSION,
          role: config.role,
          mqtt: m.connected(),
          // Whether the last write reached the disk (RELIABILITY.md §"Disk full in the data dir (24 MB tmpfs)": monitoring goes on in memory).
          store: m.storeHealth(),
        }),
        ready: createReadiness({
          dataDir: config.dataDir,
          brokerPort: () => (broker ? ports.mqtt : undefined),
          mqttConnected: () => m.connected(),
          registryReady: () => m.ready(),
          storeOpen: () => manager === m && m.ready(),
          storeWrites: () => m.storeHealth(),
        }),
        ...(tls ? { tls } : {}),
      });
      http = h;
      broker?.attachWebSocket(h.server, MQTT_WS_PATH);
      if (!broker && config.mqttWsUrl)
        detachWsProxy = attachWsProxy(h.server, { target: config.mqttWsUrl, path: MQTT_WS_PATH, log });
      else if (!broker)
        // An external broker without a WebSocket URL: /mqtt carries the bytes to its TCP port.
        detachWsProxy = attachWsTcpBridge(h.server, {
          target: mqttUrl,
          path: MQTT_WS_PATH,
          log,
          trustProxy: config.trustProxy,
          ...(tls?.ca ? { ca: tls.ca } : {}),
        });
      ports.http = await h.start(config.httpPort, config.bind);
      log.info({ port: ports.http }, "http listening");
      broker?.events.on("duplicate-client", (e: { clientId: string; address: string }) => {
        log.warn({ boardId: e.clientId, address: e.address }, "duplicate client id");
        m.markDuplicate(e.clientId);
      });
      await m.start();

      const ctx: ServerContext = {
        config,
        loginThrottle,
        log,
        fleetSecret,
        users,
        sessions,
        events: m.events,
        manager: m,
        http: h,
        broker,
        table: () => m.table,
        service: () => m.service,
      };
      const apis: ApiHandler[] = [];
      for (const ext of opts.extensions ?? []) {
        const r = await ext.start?.(ctx);
        started.push(ext);
        if (r?.ports) Object.assign(ports, r.ports);
        if (r?.api) apis.push(r.api);
      }
      if (apis.length > 0) {
        h.setApiHandler(async (req, res) => {
          for (const a of apis) if (await a(req, res)) return true;
          return false;
        });
      }
      const host = hostFor(config.bind);
      const secure = tls !== null;
      return {
        ports: { ...ports },
        urls: {
          http: `${secure ? "https" : "http"}://${host}:${ports.http}`,
          mqtt: mqttUrl,
          ws: `${secure ? "wss" : "ws"}://${host}:${ports.http}${MQTT_WS_PATH}`,
        },
        generatedAdminPassword: generatedPassword,
      };
    },

    async stop(): Promise<void> {
      for (const ext of started.reverse()) {
        await ext.stop?.().catch((err: unknown) => log.error({ err, extension: ext.name }, "extension stop failed"));
      }
      started.length = 0;
      await manager?.stop();
      detachWsProxy?.();
      detachWsProxy = null;
      // The broker first: it terminates MQTT-over-WebSocket clients, whose upgraded sockets
      // would otherwise keep the HTTP server's close() waiting forever.
      await broker?.stop();
      await http?.stop();
      manager = null;
      http = null;
      broker = null;
      lock?.release();
      lock = null;
    },
  };
}
export type BbbServer = ReturnType<typeof createServer>;
