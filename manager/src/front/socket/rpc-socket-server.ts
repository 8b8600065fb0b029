import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { Logger } from "pino";
import type { EventBus, RegistryEvent } from "../../service/events.js";
import type { MethodTable } from "../../service/method.js";
import { createLoginThrottle, type LoginThrottle } from "@bbb/shared";
import type { Authenticate } from "../auth-types.js";
import { ManagerErrors } from "../../errors.js";
import type { TokenService } from "../tokens.js";
import type { AuditSink } from "../../service/audit.js";
import type { SignOutTarget } from "../sessions.js";
import { createConnection, type LiveConnection } from "./connection.js";
import { EVENT_NOTIFICATIONS } from "./event-filter.js";
import { notification, rpcError } from "./jsonrpc.js";
import { DEFAULT_SOCKET_LIMITS, type RpcSocketLimits } from "./limits.js";

/** A client that connects and says nothing on the TLS port is dropped after this. */
const TLS_HANDSHAKE_MS = 10_000;

export interface RpcSocketServerDeps {
  methods: MethodTable;
  authenticate: Authenticate;
  events?: EventBus;
  log: Logger;
  limits?: Partial<RpcSocketLimits>;
  /** Enables `auth {token}`. */
  tokens?: TokenService;
  throttle?: LoginThrottle;
  audit?: AuditSink;
}

export interface RpcSocketServer {
  /** With `tls`, the socket speaks TLS only (docs/protocol.md "Command socket"). */
  start(opts: { port: number; bind?: string; tls?: { cert: Buffer; key: Buffer } }): Promise<{ port: number }>;
  stop(): Promise<void>;
  connectionCount(): number;
  /** Closes the connections a user (or a revoked token) authenticated; returns how many (`act` false: only counts). */
  closeSessions(target: SignOutTarget, act?: boolean): number;
}

/**
 * The TCP command socket (docs/protocol.md §"Ports": 6789): JSON-RPC 2.0, one JSON text per line, so
 * `socat - TCP:host:6789` is a usable client. A thin adapter over the service method table.
 */
export function createRpcSocketServer(deps: RpcSocketServerDeps): RpcSocketServer {
  const log = deps.log.child({ module: "rpc-socket" });
  const limits: RpcSocketLimits = { ...DEFAULT_SOCKET_LIMITS, ...deps.limits };
  const throttle = deps.throttle ?? createLoginThrottle();
  const conns = new Map<Socket, LiveConnection>();
  // One serialisation per event, shared by every subscribed connection.
  const cache = new WeakMap<RegistryEvent, string>();
  const serialize = (e: RegistryEvent) => {
    let s = cache.get(e);
    if (s === undefined) {
      s = notification(EVENT_NOTIFICATIONS[e.kind], e);
      cache.set(e, s);
    }
    return s;
  };
  let server: Server | null = null;

  const onConnection = (socket: Socket) => {
    if (conns.size >= limits.maxConnections) {
      socket.on("error", () => {});
      socket.end(JSON.stringify(rpcError(null, ManagerErrors.UNAVAILABLE, "too many connections")) + "\n");
      return;
    }
    const c = createConnection({
      socket,
      methods: deps.methods,
      authenticate: deps.authenticate,
      tokens: deps.tokens,
      events: deps.events,
      throttle,
      log,
      limits,
      serialize,
      ...(deps.audit ? { audit: deps.audit } : {}),
    });
    conns.set(socket, c);
    void c.closed.then(() => conns.delete(socket));
  };

  return {
    async start({ port, bind = "0.0.0.0", tls }) {
      if (server) throw new Error("socket server already started");
      // A plain-TCP client on the TLS port fails the handshake on its first line and is closed.
      const s = tls
        ? createTlsServer(
            { ...tls, allowHalfOpen: true, handshakeTimeout: TLS_HANDSHAKE_MS, minVersion: "TLSv1.2" },
            onConnection,
          ).on("tlsClientError", (e: unknown, sock: Socket) => {
            log.debug({ err: e, peer: sock.remoteAddress }, "tls handshake failed");
            sock.destroy();
          })
        : createServer({ noDelay: true, allowHalfOpen: true }, onConnection);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, bind, () => {
          s.off("error", reject);
          resolve();
        });
      });
      s.on("error", (e: unknown) => log.error({ err: e }, "socket server error"));
      const addr = s.address();
      const got = typeof addr === "object" && addr ? addr.port : port;
      log.info({ port: got, bind, tls: tls !== undefined }, "command socket listening");
      return { port: got };
    },
    async stop() {
      const s = server;
      server = null;
      if (!s) return;
      const closing = new Promise<void>((resolve) => s.close(() => resolve()));
      const all = [...conns.values()];
      for (const c of all) c.destroy();
      await Promise.all(all.map((c) => c.closed));
      await closing;
    },
    connectionCount: () => conns.size,
    closeSessions(target, act = true) {
      let n = 0;
      for (const c of conns.values()) {
        const p = c.principal();
        if (!p || ("username" in target ? p.username !== target.username : p.tokenId !== target.tokenId)) continue;
        if (act) c.destroy();
        n++;
      }
      return n;
    },
  };
}
