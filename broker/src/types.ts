import type { EventEmitter } from "node:events";
import type http from "node:http";
import type https from "node:https";
import type { Duplex } from "node:stream";
import type pino from "pino";
import type { BrokerRole } from "./acl.js";
import type { AuthThrottleOptions } from "@bbb/shared";
import type { LoopLagSample } from "@bbb/shared/node";
import type { ConnectAdmissionOptions } from "./connect-admission.js";
import type { ConnectionRequest } from "./listeners.js";
import type { LocalClient, LocalHandlers } from "./local-client.js";
import type { UserStore } from "./user-store.js";

export interface BrokerDeps {
  log: pino.Logger;
  topicRoot: string;
  fleetSecret: string;
  /** Who may log in: the broker only asks whether a name is a user's and checks passwords. */
  users: Pick<UserStore, "has" | "verify">;
  /** Largest MQTT packet (fixed header included) on TCP, TLS and WebSocket; default MAX_PACKET_BYTES. */
  maxPacketBytes?: number;
  /** Enables MQTTS. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  /** Shares subscriptions, retained messages and wills with other brokers through Redis. */
  cluster?: { redisUrl: string; /** $SYS heartbeat of the replicas; default 5 s. */ heartbeatMs?: number };
  clock?: () => number;
  /** Board ids the deployment knows (the manager's registry): no user may connect with one. */
  isKnownBoard?: (clientId: string) => boolean | Promise<boolean>;
  /**
   * Take the client address from a PROXY protocol header (TCP) or X-Forwarded-For / X-Real-IP
   * (WebSocket) instead of the socket, for the log, the audit trail and the login throttle.
   * Only behind a proxy that sets them: anyone else could claim any address. Default false.
   */
  trustProxy?: boolean;
  /**
   * Where a single broker keeps retained messages: `bytes` (default, retained-store.ts) or
   * `packets`, Aedes' own store of packet copies (the previous design; the benchmark compares
   * the two). A cluster keeps them in Redis either way.
   */
  retainedStore?: "bytes" | "packets";
  /** CONNECTs worked on at once before "server busy" (docs/protocol.md §"Server busy"); defaults in connect-admission.ts. */
  admission?: ConnectAdmissionOptions;
  /** Back-off of repeated authentication failures per address (tests shorten it). */
  authThrottle?: Partial<AuthThrottleOptions>;
}

export interface StartOptions {
  mqttPort: number;
  bind: string;
  /** Used only when `tls` is configured; default DEFAULT_PORTS.mqtts. Port 0 picks a free port. */
  mqttsPort?: number;
}

/** The broker's thread's garbage collection (pauses of the last window, totals since start) and heap in use. */
export interface ThreadRuntime {
  gc: LoopLagSample;
  heapUsedBytes: number;
}

export interface Broker {
  start(opts: StartOptions): Promise<{ mqttPort: number; mqttsPort: number | null }>;
  /** MQTT over WebSocket on 'upgrade' for that path only (default MQTT_WS_PATH); other paths are left alone. */
  attachWebSocket(server: http.Server | https.Server, path?: string): void;
  /**
   * A connection that arrived elsewhere (another thread's WebSocket, a test's stream), from
   * `address`; the size guard applies as to every transport. False when the broker is not running.
   */
  acceptConnection(conn: Duplex, address: string, req?: ConnectionRequest): boolean;
  /** Undoes all of start(): servers, sockets, WebSocket hooks, Aedes, Redis connections. */
  stop(): Promise<void>;
  connectedClients(): number;
  /**
   * Share of the time (0–1) the broker's own thread was busy since the previous call; null when
   * the broker runs on the caller's thread (the process's own figures cover it then).
   */
  threadUtilization(): number | null;
  /**
   * The broker's own thread's event-loop delay as of its last 10 s window (quantiles in seconds,
   * q = 1 the max; sum and count since the thread started); null when the broker runs on the
   * caller's thread, or before the first window closed.
   */
  threadLag(): LoopLagSample | null;
  /** The broker's own thread's garbage collection and heap, as of its last window; null as threadLag(). */
  threadRuntime(): ThreadRuntime | null;
  /**
   * Closes every connection of a user (signed out, removed, re-passworded); returns how many.
   * With `act` false only counts them.
   */
  disconnectUser(username: string, act?: boolean): number;
  /**
   * A client inside this process (no socket, no ACL) for trusted code such as the all-in-one
   * server's manager. Usable once started; it survives stop() / start() like a reconnecting client.
   */
  localClient(handlers: LocalHandlers): LocalClient;
  events: EventEmitter;
}

/** Payloads of Broker.events, by event name. */
export interface BrokerEvents {
  "duplicate-client": { clientId: string; address: string };
  "auth-failed": { username: string; address: string; reason: AuthFailureReason };
  "packet-too-large": { clientId?: string; address: string; size: number };
  /** A CONNECT answered "server busy" (CONNACK 3). */
  "connect-shed": { clientId: string; address: string };
  /** A CONNECT not worked on: its client had closed the connection before the broker came to it. */
  "connect-abandoned": { clientId: string; address: string };
  "client-connected": { clientId: string; username: string; role: BrokerRole };
  "client-disconnected": { clientId: string; username: string; role: BrokerRole };
  /** The broker's thread (threaded-broker.ts) died and runs again; its clients reconnect. */
  restarted: Record<string, never>;
}

export type AuthFailureReason =
  | "missing-credentials"
  | "bad-password"
  | "unknown-user"
  | "client-id-mismatch"
  | "will-not-allowed"
  | "throttled";
