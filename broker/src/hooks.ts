import { CodedError } from "@bbb/shared";
import type { EventEmitter } from "node:events";
import type { AedesOptions, AuthenticateError, Client } from "aedes";
import type pino from "pino";
import type { LoginThrottle, Role } from "@bbb/shared";
import type { Acl, Identity } from "./acl.js";
import type { Authenticator } from "./authenticator.js";
import type { ClientIdPolicy } from "./client-ids.js";
import type { ClusterPresence } from "./cluster-presence.js";
import type { ConnectionRequest } from "./listeners.js";
import type { ConnectAdmission } from "./connect-admission.js";
import { BrokerErrorCodes } from "./errors.js";
import { stampRequest } from "./request-stamp.js";
import { useExactDedupe, type DeliveringClient } from "./exact-dedupe.js";
import { createSharedEncoder, useDirectQoS0, type DirectClient } from "./direct-qos0.js";
import { useFastPublishParse, type ParserLike } from "./publish-fast-parse.js";
import { useFlowingRead, type ReadingClient } from "./flowing-read.js";

export interface HookDeps {
  acl: Acl;
  authenticate: Authenticator;
  throttle: LoginThrottle;
  log: pino.Logger;
  events: EventEmitter;
  maxRequestBytes: number;
  /** Signs request stamps (request-sig.ts), derived from the fleet secret. */
  stampKey: Buffer;
  clientIds: ClientIdPolicy;
  /** Cluster mode: who holds which board across the replicas (null on a single broker). */
  presence: () => ClusterPresence | null;
  /** CONNECTs in progress; the rest are answered "server busy" (connect-admission.ts). */
  admission: ConnectAdmission<Client>;
}

/** A summary line of the CONNECTs refused as busy at most this often. */
const SHED_LOG_INTERVAL_MS = 10_000;

/** Address of the peer: the socket's for TCP/TLS, the HTTP request's for WebSocket. */
/** The client's address: the one a trusted proxy reported (docs/configuration.md `trustProxy`), else the socket's. */
export function addressOf(client: Client): string {
  const fromProxy = (client.req as ConnectionRequest | undefined)?.connDetails?.ipAddress;
  if (fromProxy) return fromProxy;
  const conn = client.conn as { remoteAddress?: string };
  return conn.remoteAddress ?? client.req?.socket?.remoteAddress ?? "unknown";
}

/** Where a user's refused publish goes: outside every topic root, `$` so no wildcard matches it (MQTT-4.7.2-1). */
export const DROPPED_TOPIC = "$bbb-dropped";
const USER_ROLES: ReadonlySet<string> = new Set(["viewer", "operator", "admin"]);

/** A field a stranger chose (up to 64 KB in a CONNECT) as it goes into a log line. */
export function capField(v: string, max = 64): string {
  return v.length <= max ? v : `${v.slice(0, max)}… (${Buffer.byteLength(v)} bytes)`;
}

function connackError(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

/** Sends a publish nowhere while keeping its QoS (the sender's acknowledgement stays due). */
function drop(packet: { topic: string; payload: Buffer | string; retain: boolean }): void {
  packet.topic = DROPPED_TOPIC;
  packet.payload = Buffer.alloc(0);
  packet.retain = false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Aedes hooks enforcing docs/protocol.md §"Authentication and ACL". Hot paths stay string comparisons. */
export function createHooks(deps: HookDeps) {
  const { acl, log, events } = deps;
  const identities = new WeakMap<Client, Identity>();
  const wills = new WeakMap<Client, { topic: string; retain: boolean } | null>();
  const connects = new WeakMap<Client, { emptyId: boolean; packet: { clean?: boolean } }>();
  // Board connections another connection of the same board took over: their late will must
  // not mark the board lost (the new connection is the board).
  const supplanted = new WeakSet<Client>();
  // Client ids with a live authenticated connection; claimed synchronously on success, so two
  // CONNECTs racing with one id cannot both pass.
  const live = new Map<string, Client>();

  function isAlive(c: Client): boolean {
    return !c.closed && !c.conn.destroyed;
  }

  // Bytes a board's socket had read when its CONNECT was accepted: a connection that ends with
  // the same count never sent a packet after it (no birth, no heartbeat, no PINGREQ). If the
  // board closed it, it gave up on that attempt (its connect timeout) and is retrying. TCP and
  // TLS sockets count; a bridged WebSocket connection does not, and keeps the plain rule.
  const readAtConnect = new WeakMap<Client, number>();
  const bytesRead = (c: Client): number | undefined => {
    const n = (c.conn as { bytesRead?: unknown }).bytesRead;
    return typeof n === "number" ? n : undefined;
  };
  // Board connections the broker closed for a keepalive expiry: a frozen board, whose will says
  // what happened to it, however silent it was.
  const expired = new WeakSet<Client>();
  /** The board itself closed this connection without ever sending a packet after its CONNECT. */
  function gaveUp(c: Client): boolean {
    const at = readAtConnect.get(c);
    return at !== undefined && bytesRead(c) === at && !expired.has(c);
  }
  // CONNECTs whose connection had closed before they were handled (see authenticate): a summary
  // line at most every 10 s, as for the busy refusals.
  let abandoned = 0;
  let abandonedLoggedAt = -Infinity;
  function noteAbandoned(): void {
    abandoned++;
    const now = Date.now();
    if (now - abandonedLoggedAt < SHED_LOG_INTERVAL_MS) return;
    log.warn({ abandoned }, "CONNECTs not handled: their clients had already closed the connection (connect timeout)");
    abandoned = 0;
    abandonedLoggedAt = now;
  }

  let shed = 0;
  let shedLoggedAt = -Infinity;
  function refuseBusy(client: Client, address: string, callback: (e: AuthenticateError, ok: false) => void): void {
    shed++;
    const now = Date.now();
    if (now - shedLoggedAt >= SHED_LOG_INTERVAL_MS) {
      log.warn({ refused: shed, inProgress: deps.admission.pending(), lastClientId: capField(client.id), address }, "CONNECTs refused: server busy");
      shed = 0;
      shedLoggedAt = now;
    }
    events.emit("connect-shed", { clientId: client.id, address });
    callback(connackError(3, "server busy"), false);
  }

  function refuseDuplicate(clientId: string, username: string | undefined, address: string, callback: (e: AuthenticateError, ok: false) => void): void {
    log.warn({ clientId, username, address }, "duplicate client id refused");
    events.emit("duplicate-client", { clientId, address });
    callback(connackError(2, "client id already connected"), false);
  }

  const encoded = createSharedEncoder();
  const preConnect: NonNullable<AedesOptions["preConnect"]> = (client, packet, callback) => {
    // In this order: exact-dedupe wraps the direct delivery.
    useDirectQoS0(client as unknown as DirectClient, encoded);
    useExactDedupe(client as unknown as DeliveringClient);
    useFastPublishParse((client as unknown as { _parser: ParserLike })._parser);
    useFlowingRead(client as unknown as ReadingClient);
    wills.set(client, packet.will ? { topic: packet.will.topic, retain: packet.will.retain === true } : null);
    connects.set(client, { emptyId: packet.clientId === "", packet });
    callback(null, true);
  };

  /**
   * Client id rules after the credentials passed; false when the CONNECT was refused.
   * MQTT-3.1.4-2: a second CONNECT with a live client's id takes over (Aedes closes the old one).
   */
  function admitClientId(client: Client, identity: Identity, address: string, callback: (e: AuthenticateError, ok: false) => void): boolean {
    const clientId = client.id;
    const verdict = deps.clientIds.check(identity, clientId);
    if (verdict === "refuse") {
      // No duplicate-connection problem on the board: the board did nothing wrong.
      log.warn({ clientId, username: identity.username, role: identity.role, address }, "client id of a board or another user refused");
      callback(connackError(2, "identifier rejected"), false);
      return false;
    }
    const connect = connects.get(client);
    if (verdict === "fresh-session" && connect) {
      // Aedes reads the packet's flag when it restores the session, after this hook.
      connect.packet.clean = true;
      client.clean = true;
      log.warn({ clientId, address }, "board id was used by someone else: board starts a fresh session");
    }
    const existing = live.get(clientId);
    if (existing && existing !== client && isAlive(existing) && identity.role === "agent") {
      supplanted.add(existing);
      log.info({ clientId, address }, "board connection taken over by a new one");
      if (deps.clientIds.takeover(clientId)) events.emit("duplicate-client", { clientId, address });
    }
    return true;
  }

  /**
   * A CONNECT whose client has already given up (its connect timeout passed while the CONNECT
   * waited in the listen queue or behind a storm: the FIN came with the CONNECT) is not worked
   * on. The check waits for the loop's I/O phase, where that FIN is read: without it, the broker
   * restored the session, stored the will and answered a socket nobody read, and the will then
   * said `lost` for a board that was only retrying (BENCHMARKS.md §4b).
   */
  const authenticate: NonNullable<AedesOptions["authenticate"]> = (client, username, password, callback) => {
    setImmediate(() => {
      if (client.closed || client.conn.destroyed) {
        noteAbandoned();
        events.emit("connect-abandoned", { clientId: client.id, address: addressOf(client) });
        callback(connackError(3, "connection closed before its CONNECT was handled"), false);
        return;
      }
      authenticateNow(client, username, password, callback);
    });
  };

  const authenticateNow: NonNullable<AedesOptions["authenticate"]> = (client, username, password, callback) => {
    const address = addressOf(client);
    const clientId = client.id;
    const will = wills.get(client) ?? null;
    wills.delete(client);
    // MQTT-3.1.3-8: a server-assigned id cannot carry a session; Aedes would invent one.
    if (connects.get(client)?.emptyId && !client.clean) {
      log.info({ address }, "empty client id with clean session 0 refused");
      callback(connackError(2, "identifier rejected"), false);
      return;
    }
    // docs/protocol.md §"Server busy": more CONNECTs in progress than the broker admits at once.
    if (!deps.admission.admit(client)) return refuseBusy(client, address, callback);
    client.conn.once("close", () => deps.admission.done(client));
    // docs/protocol.md §"Login throttle": an address in its back-off window is refused at once,
    // so parallel CONNECTs gain nothing; the username's window is checked once the login is known
    // not to be a board's (a board is never slowed by failures from another address).
    const who = username === undefined ? null : capField(username);
    if (deps.throttle.begin(address) > 0) {
      log.warn({ username: who, clientId: capField(clientId), address }, "login refused: address in back-off");
      events.emit("auth-failed", { username: who ?? "", address, reason: "throttled" });
      callback(connackError(5, "too many failed logins; retry later"), false);
      return;
    }
    const checked = deps.authenticate(username, password, clientId, will).finally(() => deps.throttle.end(address));
    checked.then(
      async (outcome) => {
        if (outcome.ok && outcome.identity.role !== "agent" && deps.throttle.blockedFor(address, username) > 0) {
          log.warn({ username: who, clientId: capField(clientId), address }, "login refused: username in back-off");
          events.emit("auth-failed", { username: who ?? "", address, reason: "throttled" });
          callback(connackError(5, "too many failed logins; retry later"), false);
          return;
        }
        if (!outcome.ok) {
          // A refusal held for its back-off window is not work in progress.
          deps.admission.done(client);
          const delay = deps.throttle.fail(address, outcome.reason === "bad-password" || outcome.reason === "unknown-user" ? username : null);
          // Never the password: only who, from where and why.
          log.warn({ username: who, clientId: capField(clientId), address, reason: outcome.reason, delayMs: delay }, "authentication failed");
          events.emit("auth-failed", { username: who ?? "", address, reason: outcome.reason });
          // The refusal is held until the window closes: a sequential client waits it out.
          if (delay > 0) await sleep(delay);
          callback(connackError(outcome.returnCode, outcome.reason), false);
          return;
        }
        if (outcome.identity.role !== "agent") {
          try {
            await deps.clientIds.learn(clientId);
          } catch (err: unknown) {
            // Unknown whether the id is a board's: refuse rather than risk handing one over.
            log.error({ err, clientId: capField(clientId) }, "known-board lookup failed");
            deps.admission.done(client);
            callback(connackError(3, "server unavailable"), false);
            return;
          }
        }
        if (!admitClientId(client, outcome.identity, address, callback)) return;
        const readSoFar = outcome.identity.role === "agent" ? bytesRead(client) : undefined;
        if (readSoFar !== undefined) readAtConnect.set(client, readSoFar);
        live.set(clientId, client);
        deps.clientIds.accepted(outcome.identity, clientId);
        client.conn.once("close", () => {
          if (live.get(clientId) === client) live.delete(clientId);
          deps.clientIds.ended(clientId, client.clean, live.has(clientId));
        });
        const presence = deps.presence();
        if (!presence) {
          identities.set(client, outcome.identity);
          callback(null, true);
          return;
        }
        presence.claim(clientId, outcome.identity.role).then(
          (release) => {
            if (!release) {
              if (live.get(clientId) === client) live.delete(clientId);
              refuseDuplicate(clientId, username, address, callback);
              return;
            }
            if (client.conn.destroyed) release();
            else client.conn.once("close", release);
            identities.set(client, outcome.identity);
            callback(null, true);
          },
          (err: unknown) => {
            if (live.get(clientId) === client) live.delete(clientId);
            log.error({ err, clientId, address }, "cluster presence unavailable");
            callback(connackError(3, "server unavailable"), false);
          },
        );
      },
      (err: unknown) => {
        log.error({ err, clientId, address }, "authentication error");
        callback(connackError(3, "server unavailable"), false);
      },
    );
  };

  const authorizePublish: NonNullable<AedesOptions["authorizePublish"]> = (client, packet, callback) => {
    // A will left by a broker of the cluster that died (Aedes passes the board's live client on
    // this broker, if any, or none): it was checked against its owner's rights at CONNECT, but it
    // is stale when the board has reconnected to a live broker meanwhile.
    const deadBroker = (packet as { brokerId?: string }).brokerId;
    const presence = deps.presence();
    if (!client || (presence && deadBroker !== undefined && deadBroker !== presence.brokerId())) {
      const boardId = (packet as { clientId?: string }).clientId;
      if (!presence || boardId === undefined) return callback(null);
      presence.heldLive(boardId).then(
        (held) => {
          if (held) {
            log.info({ clientId: boardId, deadBroker }, "stale will of a dead broker dropped: the board is connected");
            drop(packet);
          }
          callback(null);
        },
        (err: unknown) => {
          log.warn({ err, clientId: boardId }, "cluster presence unavailable: dead broker's will published");
          callback(null);
        },
      );
      return;
    }
    if (supplanted.has(client)) return callback(new CodedError(BrokerErrorCodes.PUBLISH_DENIED, "will of a taken-over connection"));
    if (client.closed && gaveUp(client)) {
      // docs/protocol.md §"Liveness": the board closed this connection before using it (its
      // connect timeout passed while the broker worked on the CONNECT); it is retrying, not dead.
      log.info({ clientId: client.id }, "will of a board connection that never spoke after its CONNECT dropped");
      return callback(new CodedError(BrokerErrorCodes.PUBLISH_DENIED, "will of a connection that never spoke"));
    }
    const id = identities.get(client);
    if (presence && id?.role === "agent" && packet.topic === id.statusTopic) {
      // The will of a board connection another replica took over says `lost` while the board is
      // online there: dropped, as on one broker (supplanted above). A rare topic: births and stops.
      presence.heldLive(id.clientId, { elsewhere: true }).then(
        (elsewhere) => {
          if (elsewhere) {
            log.info({ clientId: id.clientId }, "status of a connection taken over by another replica dropped");
            drop(packet);
          }
          callback(null);
        },
        () => callback(null),
      );
      return;
    }
    const verdict = id ? acl.publish(id, packet.topic, packet.retain) : null;
    if (verdict?.ok && id) {
      if (!verdict.stamp) return callback(null);
      const auth = { username: id.username, role: id.role as Role, clientId: id.clientId };
      const stamped = stampRequest(packet.payload, auth, deps.maxRequestBytes, deps.stampKey);
      if (stamped) {
        packet.payload = stamped;
        return callback(null);
      }
    }
    const reason = verdict === null ? "unauthenticated" : verdict.ok ? "bad-request-payload" : verdict.reason;
    log.warn({ clientId: client.id, username: id?.username, role: id?.role, topic: packet.topic, retain: packet.retain, reason }, "publish refused");
    if (id && USER_ROLES.has(id.role)) {
      // docs/protocol.md "Authentication and ACL": a user's refused publish is dropped and the
      // client kept (as mosquitto does), so a typo does not end a long mosquitto_sub/pub session.
      // Aedes has no drop verdict: the packet goes to a topic no ACL lets anyone subscribe to,
      // with its QoS kept so a QoS 1/2 sender still gets its acknowledgement.
      drop(packet);
      return callback(null);
    }
    // MQTT-3.3.5-2: a refused PUBLISH cannot be signalled in 3.1.1; Aedes closes the connection.
    const code = reason === "bad-request-payload" ? BrokerErrorCodes.BAD_REQUEST_PAYLOAD : BrokerErrorCodes.PUBLISH_DENIED;
    callback(new CodedError(code, `publish to ${packet.topic} refused: ${reason}`));
  };

  const authorizeSubscribe: NonNullable<AedesOptions["authorizeSubscribe"]> = (client, sub, callback) => {
    const id = identities.get(client);
    if (id && acl.subscribe(id, sub.topic)) return callback(null, sub);
    log.info({ clientId: client.id, username: id?.username, role: id?.role, topic: sub.topic }, "subscription refused");
    // A null subscription is answered with SUBACK 0x80 (MQTT-3.9.3); the connection stays.
    callback(null, null);
  };

  const authorizeForward: NonNullable<AedesOptions["authorizeForward"]> = (client, packet) => {
    const id = identities.get(client);
    return id && acl.forward(id, packet.topic) ? packet : null;
  };

  return {
    hooks: { preConnect, authenticate, authorizePublish, authorizeSubscribe, authorizeForward },
    identityOf: (client: Client): Identity | undefined => identities.get(client),
    /** The broker is closing this client for its keepalive: its will is published whatever it sent. */
    keepaliveExpired: (client: Client): void => void expired.add(client),
  };
}
