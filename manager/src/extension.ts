import type { LoginThrottle } from "@bbb/shared";
import type { Broker, UserStore } from "@bbb/broker";
import type { Logger } from "pino";
import type { Config } from "./config/schema.js";
import type { Manager } from "./create-manager.js";
import type { ApiHandler, HttpServer } from "./http/create-http-server.js";
import type { IngestObserver } from "./mqtt/create-ingest.js";
import type { EventBus } from "./service/events.js";
import type { MethodDef, MethodTable } from "./service/method.js";
import type { ServiceDeps } from "./service/methods/index.js";
import type { Sessions } from "./front/sessions.js";

/** What an extension (command socket, SFTP server, project store, REST adapter) gets. */
export interface ServerContext {
  config: Config;
  log: Logger;
  fleetSecret: string;
  users: UserStore;
  events: EventBus;
  manager: Manager;
  http: HttpServer;
  /** The embedded broker; null when the manager uses an external one. */
  broker: Broker | null;
  /** API tokens and the sign-out of a user on every door. */
  sessions: Sessions;
  /** One login throttle for the manager's doors: REST, socket, SFTP, backups (docs/protocol.md §"Login throttle"). */
  loginThrottle: LoginThrottle;
  /** The complete method table (built-in + every extension's methods). */
  table: () => MethodTable;
  service: () => ServiceDeps;
}

/**
 * An optional part of the all-in-one server. `methods` are added to the service table (so
 * every front door has them); `api` is mounted under /api; `start` may return ports it bound.
 */
export interface Extension {
  name: string;
  methods?: (deps: ServiceDeps) => readonly MethodDef[];
  /** Called once the manager runs; may return a REST handler to mount under /api. */
  start?: (ctx: ServerContext) => Promise<{ ports?: Record<string, number>; api?: ApiHandler } | void>;
  stop?: () => Promise<void>;
  /** Hot-path counters handed to the manager before it starts (the ops extension's metrics). */
  observe?: { ingest?: IngestObserver; request?: (method: string, seconds: number, ok: boolean) => void };
}
