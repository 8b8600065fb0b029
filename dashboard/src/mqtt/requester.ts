import { CodedError, decodePayload, managerResponseSchema, MAX_REQUEST_BYTES, type Topics } from "@bbb/shared";
import type { z } from "zod";
import { DashboardErrorCodes } from "../errors.js";

export interface RequesterDeps {
  topics: Topics;
  clientId: string;
  /** Answers come to `<root>/manager/response/<username>/<replyTo>` (docs/protocol.md §"Manager requests"). */
  replyTo?: string;
  /** The API token `auth.login` gave, carried in every request so any broker can pass the identity. */
  token?: () => string | null;
  publish: (topic: string, payload: string) => Promise<void>;
  timeoutMs?: number;
  newTransaction?: () => string;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (e: unknown) => void;
  timer: unknown;
}

export interface Requester {
  /** Calls a manager method; rejects with a CodedError (the manager's code, or DASH_E_*). */
  call<S extends z.ZodType>(method: string, params: unknown, result: S, opts?: { timeoutMs?: number }): Promise<z.output<S>>;
  /** Feed a payload of the response topic. */
  handleResponse(payload: Uint8Array | string): void;
  pendingCount(): number;
  /** Rejects everything in flight (logout, page teardown). */
  cancelAll(): void;
}

let counter = 0;
const defaultTransaction = () => `t${Date.now().toString(36)}${(counter++).toString(36)}`;

/**
 * Request/response over MQTT with a transaction id (docs/protocol.md §"Manager requests", zigbee2mqtt's
 * bridge API): publish `<root>/manager/request/<method>` with `{transaction, params, replyTo, token}`,
 * match the reply on the response topic, fail with a visible error after a timeout.
 */
export function createRequester(deps: RequesterDeps): Requester {
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const newTransaction = deps.newTransaction ?? defaultTransaction;
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const pending = new Map<string, Pending>();

  return {
    call(method, params, result, opts = {}) {
      const transaction = newTransaction();
      const token = deps.token?.() ?? null;
      const body = JSON.stringify({
        transaction,
        ...(params === undefined ? {} : { params }),
        ...(deps.replyTo ? { replyTo: deps.replyTo } : {}),
        ...(token ? { token } : {}),
      });
      return new Promise((resolve, reject) => {
        const timer = setTimer(() => {
          pending.delete(transaction);
          reject(new CodedError(DashboardErrorCodes.TIMEOUT, `${method}: no answer from the manager within ${Math.round((opts.timeoutMs ?? timeoutMs) / 1000)} s`));
        }, opts.timeoutMs ?? timeoutMs);
        pending.set(transaction, {
          timer,
          reject,
          resolve: (data) => {
            const r = result.safeParse(data);
            if (r.success) resolve(r.data);
            else reject(new CodedError(DashboardErrorCodes.BAD_RESPONSE, `${method}: unexpected answer (${r.error.issues[0]?.message ?? "invalid"})`));
          },
        });
        deps.publish(deps.topics.managerRequest(method), body).catch((e: unknown) => {
          clearTimer(timer);
          pending.delete(transaction);
          reject(e instanceof CodedError ? e : new CodedError(DashboardErrorCodes.NOT_CONNECTED, `${method}: ${e instanceof Error ? e.message : String(e)}`));
        });
      });
    },
    handleResponse(payload) {
      const d = decodePayload(managerResponseSchema, payload, MAX_REQUEST_BYTES);
      if (!d.ok) return;
      const p = pending.get(d.value.transaction);
      if (!p) return;
      pending.delete(d.value.transaction);
      clearTimer(p.timer);
      if (d.value.status === "ok") p.resolve(d.value.data);
      else p.reject(new CodedError(d.value.error.code, d.value.error.message));
    },
    pendingCount: () => pending.size,
    cancelAll() {
      for (const [t, p] of pending) {
        clearTimer(p.timer);
        p.reject(new CodedError(DashboardErrorCodes.CANCELLED, "cancelled"));
        pending.delete(t);
      }
    },
  };
}
