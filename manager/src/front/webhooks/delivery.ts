import { createHmac, randomUUID } from "node:crypto";
import { backoffCeiling } from "@bbb/shared";
import type { Logger } from "pino";
import type { Clock } from "./clock.js";
import type { Delivery, IncidentPayload, WebhookRule } from "./schemas.js";

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number }>;

export interface DeliveryOptions {
  maxAttempts: number;
  /** First retry delay; doubles each attempt up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  /** Entries kept in the delivery log. */
  logSize: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  maxAttempts: 6,
  backoffMs: 1000,
  maxBackoffMs: 60_000,
  timeoutMs: 10_000,
  logSize: 500,
};

/**
 * POSTs incident payloads with retries (exponential back-off) and keeps a bounded log of every
 * delivery. A receiver that is down never blocks the engine: attempts run on timers.
 */
export function createDeliverer(deps: {
  fetch: FetchLike;
  clock: Clock;
  log: Logger;
  options: DeliveryOptions;
  userAgent: string;
}) {
  const { clock, options } = deps;
  const log: Delivery[] = [];
  const timers = new Set<unknown>();
  let stopped = false;

  const record = (d: Delivery) => {
    log.push(d);
    if (log.length > options.logSize) log.splice(0, log.length - options.logSize);
  };

  async function attempt(rule: WebhookRule, d: Delivery, body: string): Promise<void> {
    if (stopped) return;
    d.attempts++;
    const headers: Record<string, string> = {
      ...rule.headers,
      "content-type": "application/json",
      "user-agent": deps.userAgent,
      "x-bbb-event": d.event,
      "x-bbb-delivery": d.id,
    };
    if (rule.secret)
      headers["x-bbb-signature"] = `sha256=${createHmac("sha256", rule.secret).update(body).digest("hex")}`;
    try {
      const res = await deps.fetch(rule.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      d.httpStatus = res.status;
      if (res.ok) {
        d.status = "delivered";
        d.finishedAt = clock.now();
        d.lastError = null;
        return;
      }
      d.lastError = `HTTP ${res.status}`;
    } catch (e: unknown) {
      d.lastError = e instanceof Error ? e.message.slice(0, 256) : "request failed";
    }
    if (d.attempts >= options.maxAttempts) {
      d.status = "failed";
      d.finishedAt = clock.now();
      deps.log.warn(
        { rule: rule.id, delivery: d.id, attempts: d.attempts, error: d.lastError },
        "webhook delivery failed",
      );
      return;
    }
    const wait = backoffCeiling(d.attempts - 1, options.backoffMs, options.maxBackoffMs);
    const t = clock.setTimeout(() => {
      timers.delete(t);
      void attempt(rule, d, body);
    }, wait);
    timers.add(t);
  }

  return {
    send(rule: WebhookRule, payload: IncidentPayload): Delivery {
      const d: Delivery = {
        id: randomUUID(),
        ruleId: rule.id,
        incidentId: payload.incident.id,
        event: payload.event,
        url: rule.url,
        status: "pending",
        attempts: 0,
        httpStatus: null,
        lastError: null,
        boards: payload.incident.boards.length,
        createdAt: clock.now(),
        finishedAt: null,
      };
      record(d);
      void attempt(rule, d, JSON.stringify(payload));
      return d;
    },
    /** A notification that a maintenance window swallowed: logged, never sent. */
    silenced(rule: WebhookRule, incidentId: string, boards: number): void {
      const t = clock.now();
      record({
        id: randomUUID(),
        ruleId: rule.id,
        incidentId,
        event: "silenced",
        url: rule.url,
        status: "silenced",
        attempts: 0,
        httpStatus: null,
        lastError: null,
        boards,
        createdAt: t,
        finishedAt: t,
      });
    },
    list(): Delivery[] {
      return log.map((d) => ({ ...d }));
    },
    stop(): void {
      stopped = true;
      for (const t of timers) clock.clearTimeout(t);
      timers.clear();
    },
  };
}
export type Deliverer = ReturnType<typeof createDeliverer>;
