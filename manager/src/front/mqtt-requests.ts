import {
  MAX_PACKET_BYTES,
  MAX_REQUEST_BYTES,
  authLoginParamsSchema,
  decodePayload,
  managerRequestSchema,
  parseTopic,
  type ManagerRequest,
  type ManagerResponse,
  type Role,
  type Topics,
} from "@bbb/shared";
import { verifyRequestAuth } from "@bbb/broker";
import type { Logger } from "pino";
import type { MqttLogin } from "./mqtt-login.js";
import type { RequestTokens } from "./request-tokens.js";
import type { TokenService } from "./tokens.js";
import type { AuditSink } from "../service/audit.js";
import { ManagerErrorCodes } from "../errors.js";
import { createRateLimiter } from "../log.js";
import type { MethodTable } from "../service/method.js";
import { invokeMethod } from "./invoke.js";

/** Room left for the MQTT header and topic under the broker's packet limit. */
const MAX_RESPONSE_BYTES = MAX_PACKET_BYTES - 4096;

export interface MqttRequestsDeps {
  log: Logger;
  topics: Topics;
  table: () => MethodTable;
  publish: (topic: string, payload: string, opts: { qos: 1; retain: false }) => void;
  /** Requests one client may have in flight; more are answered MGR_E_UNAVAILABLE at once. */
  maxInFlightPerClient?: number;
  /** Duration of each answered request, for /metrics. */
  observe?: (method: string, seconds: number, ok: boolean) => void;
  /** Records mutating calls (service/audit.ts). */
  audit?: AuditSink;
  /** Verifies our broker's signed stamps (deriveStampKey of @bbb/broker); without it no stamp is trusted. */
  stampKey?: Buffer;
  /** Tokens carried in requests (`token`): `auth.login`'s signed ones, else API tokens. */
  tokens?: TokenService;
  requestTokens?: RequestTokens;
  /** `auth.login` over MQTT; without it that method is unknown here. */
  login?: MqttLogin;
}

/** The one method answered without an identity (docs/protocol.md §"Manager requests"). */
export const AUTH_LOGIN = "auth.login";

interface Caller {
  username: string;
  role: Role;
  /** The MQTT client id from a stamp, else `<username>/<replyTo>`: the in-flight key and audit peer. */
  peer: string;
}

/**
 * The MQTT front door (docs/protocol.md §"Manager requests"): `<root>/manager/request/<method>` →
 * MethodTable → `<root>/manager/response/<username>/<replyTo>` (or `<root>/manager/response/<clientId>`
 * without `replyTo`). The caller is our broker's signed stamp, else the API token in the request;
 * a request with neither cannot be answered to anyone safely, so it is dropped with a log line.
 */
export function createMqttRequests(deps: MqttRequestsDeps) {
  const log = deps.log.child({ module: "mqtt-requests" });
  const limited = createRateLimiter(10_000);
  let inFlight = 0;
  const perClient = new Map<string, number>();
  const maxPerClient = deps.maxInFlightPerClient ?? 32;

  /** Publishes an answer, or MGR_E_TOO_LARGE in its place when it would not fit in one packet. */
  function send(topic: string, response: ManagerResponse): void {
    let text = JSON.stringify(response);
    // The broker closes any connection that sends a packet over its limit, the manager's own
    // included: an answer that would not fit is refused instead (the caller pages).
    if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES) {
      text = JSON.stringify({
        transaction: response.transaction,
        status: "error",
        error: { code: ManagerErrorCodes.TOO_LARGE, message: `answer exceeds ${MAX_RESPONSE_BYTES} bytes: ask for fewer items (limit/offset)` },
      } satisfies ManagerResponse);
    }
    deps.publish(topic, text, { qos: 1, retain: false });
  }

  /** Our broker's stamp when its signature holds, else the request's API token. */
  function callerOf(req: ManagerRequest): Caller | null {
    const { auth, token, replyTo, transaction } = req;
    if (auth && deps.stampKey && verifyRequestAuth(deps.stampKey, auth, transaction)) {
      return { username: auth.username, role: auth.role, peer: auth.clientId };
    }
    if (auth) limited("badstamp", (dropped) => log.warn({ username: auth.username, droppedSince: dropped }, "request stamp with a wrong signature ignored"));
    if (token === undefined || replyTo === undefined) return null;
    const p = deps.requestTokens?.verify(token) ?? deps.tokens?.verify(token) ?? null;
    return p ? { username: p.username, role: p.role, peer: `${p.username}/${replyTo}` } : null;
  }

  /** auth.login: answered to the username it names, the only user who may read that reply. */
  async function login(req: ManagerRequest, topic: string): Promise<void> {
    const p = authLoginParamsSchema.safeParse(req.params);
    const stamped = req.auth && deps.stampKey && verifyRequestAuth(deps.stampKey, req.auth, req.transaction) ? req.auth : null;
    if (!p.success || (!req.replyTo && !stamped)) {
      limited("badlogin", (dropped) => log.warn({ topic, droppedSince: dropped }, "auth.login without {username, password} and replyTo dropped"));
      return;
    }
    const replyTopic = req.replyTo ? deps.topics.managerReply(p.data.username, req.replyTo) : deps.topics.managerResponse((stamped as { clientId: string }).clientId);
    const out = await (deps.login as MqttLogin)(p.data.username, p.data.password);
    send(
      replyTopic,
      out.ok
        ? { transaction: req.transaction, status: "ok", data: out.data }
        : { transaction: req.transaction, status: "error", error: { code: out.code, message: out.message } },
    );
  }

  async function handle(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic, deps.topics.root);
    if (t === null || t.kind !== "manager-request") return;
    const d = decodePayload(managerRequestSchema, payload, MAX_REQUEST_BYTES);
    if (!d.ok) {
      limited(`bad:${d.code}`, (dropped) =>
        log.warn({ topic, code: d.code, detail: d.message, droppedSince: dropped }, "request dropped"),
      );
      return;
    }
    const { transaction, params, replyTo } = d.value;
    if (t.method === AUTH_LOGIN && deps.login) return login(d.value, topic);
    const caller = callerOf(d.value);
    if (!caller) {
      limited("noauth", (dropped) =>
        log.warn({ topic, droppedSince: dropped, replyTo, token: d.value.token !== undefined }, "request without a valid identity dropped"),
      );
      return;
    }
    const replyTopic = replyTo ? deps.topics.managerReply(caller.username, replyTo) : deps.topics.managerResponse(caller.peer);
    const reply = (response: ManagerResponse) => send(replyTopic, response);
    if (d.value.invalidUtf8) {
      // Refused like on REST and the socket (RFC 8259 §8.1: JSON is UTF-8), never stored with U+FFFD.
      reply({
        transaction,
        status: "error",
        error: { code: ManagerErrorCodes.PARSE_ERROR, message: "request is not valid UTF-8" },
      });
      return;
    }
    const mine = perClient.get(caller.peer) ?? 0;
    if (mine >= maxPerClient) {
      // One client cannot queue unbounded work (a bulk command per request is long-lived).
      reply({
        transaction,
        status: "error",
        error: { code: ManagerErrorCodes.UNAVAILABLE, message: `more than ${maxPerClient} requests in flight` },
      });
      return;
    }
    perClient.set(caller.peer, mine + 1);
    inFlight++;
    const started = performance.now();
    try {
      const out = await invokeMethod(
        deps.table(),
        t.method,
        params,
        {
          username: caller.username,
          role: caller.role,
          via: "mqtt",
          peer: caller.peer,
          ...(deps.audit ? { audit: deps.audit } : {}),
        },
        log,
      );
      reply(
        out.ok
          ? { transaction, status: "ok", data: out.data }
          : { transaction, status: "error", error: { code: out.error.code, message: out.error.message } },
      );
      deps.observe?.(t.method, (performance.now() - started) / 1000, out.ok);
    } finally {
      inFlight--;
      const n = (perClient.get(caller.peer) ?? 1) - 1;
      if (n <= 0) perClient.delete(caller.peer);
      else perClient.set(caller.peer, n);
    }
  }

  return {
    handle(topic: string, payload: Buffer): void {
      handle(topic, payload).catch((err: unknown) => log.error({ err, topic }, "request handling failed"));
    },
    inFlight: () => inFlight,
  };
}
export type MqttRequests = ReturnType<typeof createMqttRequests>;
