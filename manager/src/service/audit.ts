import type { Logger } from "pino";
import type { AuditRepo } from "../store/audit-repo.js";
import type { CallContext, MethodDef } from "./method.js";

/** Records one call's outcome: "ok" or the error code the caller got. */
export type AuditSink = (
  def: Pick<MethodDef, "name" | "http">,
  params: unknown,
  ctx: CallContext,
  result: string,
) => void;

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|credential/i;
const MAX_PARAMS_CHARS = 4096;

/** A call changes something unless REST maps it to GET (docs/protocol.md "Audit trail"). */
export function isMutating(def: Pick<MethodDef, "http">): boolean {
  return def.http?.method !== "GET";
}

function redact(v: unknown, depth: number): unknown {
  if (typeof v === "string") return v.replace(/(\w+:\/\/)[^/@\s]+@/g, "$1***@");
  if (v === null || typeof v !== "object") return v;
  if (depth > 6) return "…";
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => redact(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    // Webhook headers carry the receivers' credentials whatever their names.
    out[k] = SECRET_KEY.test(k) || k === "headers" ? "***" : redact(x, depth + 1);
  }
  return out;
}

/** Parameters as the audit trail keeps them: secrets replaced by ***, at most 4 KB of JSON. */
export function redactParams(params: unknown): string | null {
  if (params === undefined) return null;
  const text = JSON.stringify(redact(params, 0)) ?? null;
  return text !== null && text.length > MAX_PARAMS_CHARS ? `${text.slice(0, MAX_PARAMS_CHARS)}…` : text;
}

/**
 * The audit sink of every door: who (user, role), which door and peer, the method, its redacted
 * parameters and the result, one synchronous row per mutating call. A failing write is logged,
 * never turned into a failure of the call itself.
 */
export function createAuditSink(deps: { repo: () => AuditRepo; now: () => number; log: Logger }): AuditSink {
  return (def, params, ctx, result) => {
    if (!isMutating(def)) return;
    try {
      deps.repo().append({
        ts: deps.now(),
        username: ctx.username,
        role: ctx.role,
        via: ctx.via,
        peer: ctx.peer ?? null,
        method: def.name,
        params: redactParams(params),
        result,
      });
    } catch (err: unknown) {
      deps.log.error({ err, method: def.name }, "audit row not written");
    }
  };
}
