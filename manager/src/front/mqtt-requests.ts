import {
  MAX_PACKET_BYTES,
  MAX_REQUEST_BYTES,
  decodePayload,
  managerRequestSchema,
  parseTopic,
  type ManagerResponse,
  type Topics,
} from "@bbb/shared";
import type { Logger } from "pino";
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
}

/**
 * The MQTT front door (docs/protocol.md §"Topic tree"): `<root>/manager/request/<method>` →
 * MethodTable → `<root>/manager/response/<clientId>`. The caller is the `auth` the broker
 * stamped into the payload; a request without it cannot be answered nor trusted, so it is dropped.
 */
export function createMqttRequests(deps: MqttRequestsDeps) {
  const log = deps.log.child({ module: "mqtt-requests" });
  const limited = createRateLimiter(10_000);
  let inFlight = 0;
  const perClient = new Map<string, number>();
  const maxPerClient = deps.maxInFlightPerClient ?? 32;

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
    const { transaction, params, auth } = d.value;
    if (!auth) {
      limited("noauth", (dropped) =>
        log.warn({ topic, droppedSince: dropped }, "request without broker identity dropped"),
      );
      return;
    }
    const reply = (response: ManagerResponse) => {
      let text = JSON.stringify(response);
      // The broker closes any connection that sends a packet over its limit, the manager's own
      // included: an answer that would not fit is refused instead (the caller pages).
      if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES) {
        text = JSON.stringify({
          transaction,
          status: "error",
          error: {
            code: ManagerErrorCodes.TOO_LARGE,
            message: `answer exceeds ${MAX_RESPONSE_BYTES} bytes: ask for fewer items (limit/offset)`,
          },
        } satisfies ManagerResponse);
      }
      deps.publish(deps.topics.managerResponse(auth.clientId), text, { qos: 1, retain: false });
    };
    if (d.value.invalidUtf8) {
      // Refused like on REST and the socket (RFC 8259 §8.1: JSON is UTF-8), never stored with U+FFFD.
      reply({
        transaction,
        status: "error",
        error: { code: ManagerErrorCodes.PARSE_ERROR, message: "request is not valid UTF-8" },
      });
      return;
    }
    const mine = perClient.get(auth.clientId) ?? 0;
    if (mine >= maxPerClient) {
      // One client cannot queue unbounded work (a bulk command per request is long-lived).
      reply({
        transaction,
        status: "error",
        error: { code: ManagerErrorCodes.UNAVAILABLE, message: `more than ${maxPerClient} requests in flight` },
      });
      return;
    }
    perClient.set(auth.clientId, mine + 1);
    inFlight++;
    const started = performance.now();
    try {
      const out = await invokeMethod(
        deps.table(),
        t.method,
        params,
        {
          username: auth.username,
          role: auth.role,
          via: "mqtt",
          peer: auth.clientId,
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
      const n = (perClient.get(auth.clientId) ?? 1) - 1;
      if (n <= 0) perClient.delete(auth.clientId);
      else perClient.set(auth.clientId, n);
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
