// First: before Aedes loads mqtt-packet (quiet-debug.ts).
import { mqttPacketQuiet } from "./quiet-packets.js";
import { EventEmitter } from "node:events";
import type net from "node:net";
import type { Duplex } from "node:stream";
import type { IncomingMessage } from "node:http";
import { Aedes, type AedesOptions, type Client } from "aedes";
import { CodedError, DEFAULT_LOGIN_THROTTLE, DEFAULT_PORTS, MAX_PACKET_BYTES, MAX_REQUEST_BYTES, MQTT_WS_PATH, createLoginThrottle } from "@bbb/shared";
import { createAcl } from "./acl.js";
import { createAuthenticator } from "./authenticator.js";
import { BrokerErrorCodes } from "./errors.js";
import { createClientIdPolicy } from "./client-ids.js";
import { createHooks } from "./hooks.js";
import { deriveStampKey } from "./request-sig.js";
import { closeServer, createMqttServer, listen, trackConnections, type ConnectionRequest, type ConnectionSink } from "./listeners.js";
import { createLocalClient, type AttachableLocalClient } from "./local-client.js";
import { batchWrites } from "./write-batching.js";
import { guardPacketSize } from "./packet-size-guard.js";
import { createClusterPresence, type ClusterPresence } from "./cluster-presence.js";
import type { ClusterParts } from "./redis-cluster.js";
import type { Broker, BrokerDeps, BrokerEvents } from "./types.js";
import { skipRetainedLookupForCommands } from "./retained-lookup.js";
import { createRetainedStore, useRetainedStore, type RetainedPersistence } from "./retained-store.js";
import { createConnectAdmission } from "./connect-admission.js";
import { createKeepaliveWheel, type KeepaliveClient, type KeepaliveWheel } from "./keepalive-wheel.js";
import { createWebSocketGateway } from "./websocket.js";

const CLUSTER_STOP_TIMEOUT_MS = 2000;
const CLUSTER_HEARTBEAT_MS = 5000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

interface Running {
  aedes: Aedes;
  servers: net.Server[];
  trackers: ReturnType<typeof trackConnections>[];
  cluster: ClusterParts | null;
  presence: ClusterPresence | null;
  keepalive: KeepaliveWheel;
}

/** A client whose socket has not drained for this long is dropped (Aedes `drainTimeout`). */
const DRAIN_TIMEOUT_MS = 30_000;

/** The first MQTT login failure from an address is free (docs/protocol.md §"Login throttle"). */
const BROKER_AUTH_THROTTLE = { ...DEFAULT_LOGIN_THROTTLE, freeFailures: 1 };

/** The embedded MQTT broker (docs/architecture.md §"Broker listeners"). Constructing does no I/O; start() does. */
export function createBroker(deps: BrokerDeps): Broker {
  const log = deps.log.child({ module: "broker" });
  if (!mqttPacketQuiet) log.debug("mqtt-packet was loaded before the broker: its per-packet debug calls stay as they are");
  const events = new EventEmitter();
  const maxPacketBytes = deps.maxPacketBytes ?? MAX_PACKET_BYTES;
  const clock = deps.clock ?? Date.now;
  const trustProxy = deps.trustProxy ?? false;
  const heartbeatMs = deps.cluster?.heartbeatMs ?? CLUSTER_HEARTBEAT_MS;
  const acl = createAcl(deps.topicRoot);
  const admission = createConnectAdmission<Client>(deps.admission);
  const { hooks, identityOf, keepaliveExpired } = createHooks({
    acl,
    authenticate: createAuthenticator({ acl, users: deps.users, fleetSecret: deps.fleetSecret }),
    throttle: createLoginThrottle({ address: { ...BROKER_AUTH_THROTTLE, ...deps.authThrottle }, user: { ...DEFAULT_LOGIN_THROTTLE.user, ...deps.authThrottle, maxMs: Math.min(DEFAULT_LOGIN_THROTTLE.user.maxMs ?? 2000, deps.authThrottle?.maxMs ?? Infinity) } }, clock),
    log,
    events,
    maxRequestBytes: MAX_REQUEST_BYTES,
    stampKey: deriveStampKey(deps.fleetSecret),
    clientIds: createClientIdPolicy({ clock, ...(deps.isKnownBoard ? { isKnownBoard: deps.isKnownBoard } : {}) }),
    presence: () => running?.presence ?? null,
    admission,
  });
  let running: Running | null = null;
  const locals = new Set<AttachableLocalClient>();

  function emit<K extends keyof BrokerEvents>(name: K, payload: BrokerEvents[K]): void {
    events.emit(name, payload);
  }

  function tooLarge(conn: Duplex, address: string, size: number): void {
    const clientId = (conn as Duplex & { client?: { id?: string | null } }).client?.id ?? undefined;
    log.warn({ clientId, address, size, limit: maxPacketBytes }, "packet too large, connection closed");
    emit("packet-too-large", clientId ? { clientId, address, size } : { address, size });
  }

  /** Every transport ends here: size guard first, then Aedes. */
  function accept(conn: Duplex, address: string, req?: IncomingMessage): boolean {
    if (!running) return false;
    guardPacketSize(conn, maxPacketBytes, (size) => tooLarge(conn, address, size));
    running.aedes.handle(conn, req);
    return true;
  }

  const ws = createWebSocketGateway({
    log,
    trustProxy,
    maxPacketBytes,
    accept: (stream, req, address) => accept(stream, address, req),
    onFrameTooLarge: (address, limit) => {
      log.warn({ address, limit }, "websocket frame too large, connection closed");
      emit("packet-too-large", { address, size: limit + 1 });
    },
  });

  /** TCP and TLS connections, from aedes-server-factory (with trustProxy: after the PROXY header). */
  const sink: ConnectionSink = {
    handle(conn: Duplex, req: ConnectionRequest): void {
      const socket = conn as net.Socket;
      const address = req.connDetails?.ipAddress ?? socket.remoteAddress ?? "unknown";
      socket.on("error", (err) => log.debug({ err, address }, "socket error"));
      // TCP and TLS only: a WebSocket stream has no writev and sends every buffered chunk as a
      // frame of its own, so holding its writes would only add latency.
      batchWrites(socket);
      accept(socket, address, req as IncomingMessage);
    },
    emit: (_event, err) => log.debug({ err }, "socket error before the PROXY header"),
  };

  async function createAedes(): Promise<Omit<Running, "servers" | "trackers">> {
    // The Redis client and its persistence load only for a clustered broker (~0.1 s of start-up).
    const cluster = deps.cluster
      ? (await import("./redis-cluster.js")).createClusterParts(deps.cluster.redisUrl, log, { beatMs: heartbeatMs, topicRoot: deps.topicRoot })
      : null;
    if (cluster) {
      try {
        await cluster.mq.start();
      } catch (e: unknown) {
        cluster.disconnect();
        throw e;
      }
    }
    const opts: AedesOptions = {
      ...hooks,
      // Board ids and dashboard ids may be longer than MQTT 3.1's 23 characters.
      maxClientsIdLength: 128,
      // No in-flight cap: with Aedes' default of 100, one subscriber slow to drain (the manager's
      // own client under a 10,000-board burst) parks every later message in mqemitter's queue,
      // whose release recurses once per queued message until the stack overflows and the
      // process dies (measured in BENCHMARKS.md). Unbounded, slow readers only buffer their own
      // writes, and drainTimeout drops one that stays stuck.
      concurrency: 0,
      drainTimeout: DRAIN_TIMEOUT_MS,
      // In a cluster the $SYS heartbeat tells replicas which brokers live: a dead one's claims
      // on board ids lapse after 3 beats, and its boards' wills are published 4 beats later.
      ...(cluster ? { id: cluster.id, mq: cluster.mq, persistence: cluster.persistence, heartbeatInterval: heartbeatMs } : {}),
    };
    let aedes: Aedes;
    try {
      aedes = await Aedes.createBroker(opts);
    } catch (e: unknown) {
      cluster?.disconnect();
      throw e;
    }
    // Aedes 1.2's typings do not declare `persistence`, which it sets in its constructor.
    if (!cluster && deps.retainedStore !== "packets") useRetainedStore((aedes as unknown as { persistence: RetainedPersistence }).persistence, createRetainedStore());
    skipRetainedLookupForCommands(aedes, deps.topicRoot);
    // Every client's keepalive on one timer (keepalive-wheel.ts), from the moment it is registered.
    const keepalive = createKeepaliveWheel();
    keepalive.start();
    aedes.on("client", (client) => keepalive.track(client as unknown as KeepaliveClient));
    aedes.on("connackSent", (_packet, client) => admission.done(client));
    aedes.on("keepaliveTimeout", (client) => keepaliveExpired(client));
    // An 'error' without a listener would throw and kill the process (a bad message never does).
    (aedes as EventEmitter).on("error", (err: Error) => log.error({ err }, "broker error"));
    aedes.on("clientError", (client, err) => log.debug({ clientId: client.id, err: err.message }, "client error"));
    aedes.on("connectionError", (_client, err) => log.debug({ err: err.message }, "connection error"));
    aedes.on("client", (client) => {
      const id = identityOf(client);
      if (id) emit("client-connected", { clientId: client.id, username: id.username, role: id.role });
    });
    aedes.on("clientDisconnect", (client) => {
      const id = identityOf(client);
      if (id) emit("client-disconnected", { clientId: client.id, username: id.username, role: id.role });
    });
    const presence = cluster
      ? createClusterPresence({
          db: cluster.db,
          brokerId: () => aedes.id,
          // Heard through Aedes's $SYS beat, or through the routing (which hears a replica from the
          // moment it joins: a replica started a moment ago has not beaten yet, and its boards'
          // wills must not be taken for a dead broker's).
          isBrokerAlive: (id) => {
            const last = aedes.brokers[id];
            return (last !== undefined && last + 3 * heartbeatMs >= Date.now()) || cluster.mq.alive(id);
          },
          log,
        })
      : null;
    return { aedes, cluster, presence, keepalive };
  }

  async function stop(): Promise<void> {
    const state = running;
    ws.closeAll();
    ws.detach();
    if (!state) return;
    running = null;
    for (const c of locals) c.detach();
    await Promise.all(
      state.servers.map((s, i) => {
        const closed = closeServer(s);
        state.trackers[i]?.destroyAll();
        return closed;
      }),
    );
    const closed = new Promise<void>((resolve) => state.aedes.close(() => resolve()));
    if (state.cluster) {
      const cluster = state.cluster;
      // With Redis unreachable the emitter's QUIT never completes: bound each wait, then cut.
      let done = false;
      await Promise.race([closed.then(() => (done = true)), sleep(CLUSTER_STOP_TIMEOUT_MS)]);
      if (!done) log.warn("redis did not answer while stopping; dropping its connections");
      await Promise.race([
        cluster.persistence.destroy().catch((err: unknown) => log.warn({ err }, "closing the redis persistence failed")),
        sleep(done ? CLUSTER_STOP_TIMEOUT_MS : 0),
      ]);
      cluster.disconnect();
    } else {
      await closed;
    }
    state.keepalive.stop();
    log.info("broker stopped");
  }

  return {
    events,

    async start(opts) {
      if (running) throw new CodedError(BrokerErrorCodes.ALREADY_STARTED, "broker already started");
      const state: Running = { ...(await createAedes()), servers: [], trackers: [] };
      running = state;
      try {
        // In-process clients (the all-in-one manager) subscribe again before any board can connect.
        await Promise.all([...locals].map((c) => c.attach(state.aedes)));
        const tcp = createMqttServer(sink, { trustProxy });
        state.trackers.push(trackConnections(tcp));
        state.servers.push(tcp);
        const mqttPort = await listen(tcp, opts.mqttPort, opts.bind);
        let mqttsPort: number | null = null;
        if (deps.tls) {
          const secure = createMqttServer(sink, { tls: deps.tls, trustProxy });
          state.trackers.push(trackConnections(secure));
          state.servers.push(secure);
          mqttsPort = await listen(secure, opts.mqttsPort ?? DEFAULT_PORTS.mqtts, opts.bind);
        }
        log.info({ mqttPort, mqttsPort, bind: opts.bind, cluster: Boolean(state.cluster), maxPacketBytes, trustProxy }, "broker listening");
        return { mqttPort, mqttsPort };
      } catch (e: unknown) {
        await stop();
        throw e;
      }
    },

    attachWebSocket(server, path = MQTT_WS_PATH) {
      ws.attach(server, path);
    },

    acceptConnection: (conn, address, req) => accept(conn, address, req as IncomingMessage | undefined),

    stop,

    connectedClients: () => (running ? running.aedes.connectedClients : 0),

    threadUtilization: () => null,

    threadLag: () => null,
    threadRuntime: () => null,

    disconnectUser(username, act = true) {
      if (!running) return 0;
      let n = 0;
      // Aedes 1.2's typings do not declare `clients` (id → connected client), which it keeps.
      const clients = (running.aedes as unknown as { clients: Record<string, Client> }).clients;
      for (const client of Object.values(clients)) {
        if (identityOf(client)?.username !== username) continue;
        if (act) client.close();
        n++;
      }
      if (act && n > 0) log.info({ username, clients: n }, "user's MQTT connections closed");
      return n;
    },

    localClient(handlers) {
      const c = createLocalClient(handlers, (closed) => locals.delete(closed));
      locals.add(c);
      if (running) void c.attach(running.aedes).catch((err: unknown) => log.error({ err }, "local client attach failed"));
      return c;
    },
  };
}
