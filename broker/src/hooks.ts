import { CodedError } from "@bbb/shared";
import type { EventEmitter } from "node:events";
import type { AedesOptions, AuthenticateError, Client } from "aedes";
import type pino from "pino";
import type { AuthThrottle, Role } from "@bbb/shared";
import type { Acl, Identity } from "./acl.js";
import type { Authenticator } from "./authenticator.js";
import type { ClusterPresence } from "./cluster-presence.js";
import type { ConnectionRequest } from "./listeners.js";
import { BrokerErrorCodes } from "./errors.js";
import { stampRequest } from "./request-stamp.js";

export interface HookDeps {
  acl: Acl;
  authenticate: Authenticator;
  throttle: AuthThrottle;
  log: pino.Logger;
  events: EventEmitter;
  maxRequestBytes: number;
  /** Cluster mode: who holds which board across the replicas (null on a single broker). */
  presence: () => ClusterPresence | null;
}

/** Address of the peer: the socket's for TCP/TLS, the HTTP request's for WebSocket. */
/** The client's address: the one a trusted proxy reported (docs/configuration.md `trustProxy`), else the socket's. */
export function addressOf(client: Client): string {
  const fromProxy = (client.req as ConnectionRequest | undefined)?.connDetails?.ipAddress;
  if (fromProxy) return fromProxy;
  const conn = client.conn as { remoteAddress?: string };
  return conn.remoteAddress ?? client.req?.socket?.remoteAddress ?? "unknown";
}

function connackError(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Aedes hooks enforcing docs/protocol.md §"Authentication and ACL". Hot paths stay string comparisons. */
export function createHooks(deps: HookDeps) {
  const { acl, log, events } = deps;
  const identities = new WeakMap<Client, Identity>();
  const wills = new WeakMap<Client, { topic: string; retain: boolean } | null>();
  // Client ids with a live authenticated connection; claimed synchronously on success, so two
  // CONNECTs racing with one id cannot both pass.
  const live = new Map<string, Client>();

  function isAlive(c: Client): boolean {
    return !c.closed && !c.conn.destroyed;
  }

  function refuseDuplicate(clientId: string, username: string | undefined, address: string, callback: (e: AuthenticateError, ok: false) => void): void {
    log.warn({ clientId, username, address }, "duplicate client id refused");
    events.emit("duplicate-client", { clientId, address });
    callback(connackError(2, "client id already connected"), false);
  }

  const preConnect: NonNullable<AedesOptions["preConnect"]> = (client, packet, callback) => {
    wills.set(client, packet.will ? { topic: packet.will.topic, retain: packet.will.retain === true } : null);
    callback(null, true);
  };

  const authenticate: NonNullable<AedesOptions["authenticate"]> = (client, username, password, callback) => {
    const address = addressOf(client);
    const clientId = client.id;
    const will = wills.get(client) ?? null;
    wills.delete(client);
    const delay = deps.throttle.delayFor(address);
    const run = async () => {
      if (delay > 0) await sleep(delay);
      return deps.authenticate(username, password, clientId, will);
    };
    run().then(
      (outcome) => {
        if (!outcome.ok) {
          deps.throttle.fail(address);
          // Never the password: only who, from where and why.
          log.warn({ username: username ?? null, clientId, address, reason: outcome.reason, delayMs: delay }, "authentication failed");
          events.emit("auth-failed", { username: username ?? "", address, reason: outcome.reason });
          callback(connackError(outcome.returnCode, outcome.reason), false);
          return;
        }
        const existing = live.get(clientId);
        // A board reclaims its own id from anyone else squatting it; otherwise a second
        // connection with a live client's id is refused instead of taking it over
        // (MQTT-3.1.4-2), so a duplicate can never kick a board off.
        const reclaim = outcome.identity.role === "agent" && existing !== undefined && identities.get(existing)?.role !== "agent";
        if (existing && existing !== client && isAlive(existing) && !reclaim) {
          refuseDuplicate(clientId, username, address, callback);
          return;
        }
        live.set(clientId, client);
        client.conn.once("close", () => {
          if (live.get(clientId) === client) live.delete(clientId);
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
    // Aedes passes no client only for a will left by a broker of the cluster that died; that
    // will was checked against its owner's rights at CONNECT.
    if (!client) return callback(null);
    const id = identities.get(client);
    const verdict = id ? acl.publish(id, packet.topic, packet.retain) : null;
    if (verdict?.ok && id) {
      if (!verdict.stamp) return callback(null);
      const auth = { username: id.username, role: id.role as Role, clientId: id.clientId };
      const stamped = stampRequest(packet.payload, auth, deps.maxRequestBytes);
      if (stamped) {
        packet.payload = stamped;
        return callback(null);
      }
    }
    const reason = verdict === null ? "unauthenticated" : verdict.ok ? "bad-request-payload" : verdict.reason;
    log.warn({ clientId: client.id, username: id?.username, role: id?.role, topic: packet.topic, retain: packet.retain, reason }, "publish refused");
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

  const authorizeForward: NonNullable<AedesOptions["authorizeForward"]> = (client, packet) =>
    acl.forward(client.id, packet.topic) ? packet : null;

  return {
    hooks: { preConnect, authenticate, authorizePublish, authorizeSubscribe, authorizeForward },
    identityOf: (client: Client): Identity | undefined => identities.get(client),
  };
}
