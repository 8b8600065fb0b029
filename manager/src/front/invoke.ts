import type { Logger } from "pino";
import { roleAllows } from "@bbb/shared";
import type { z } from "zod";
import type { CallContext, MethodDef, MethodTable } from "../service/method.js";
import { ManagerErrors } from "../errors.js";
import { appError, classifyError, isInternal, type AppError, type Issue } from "./errors.js";

export type CallOutcome = { ok: true; data: unknown } | { ok: false; error: AppError };

export function zodIssues(err: z.ZodError, max = 20): Issue[] {
  return err.issues.slice(0, max).map((i) => ({
    path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
    message: i.message,
    code: i.code,
  }));
}

/** Parses params; an omitted `params` stands for `{}` when the method takes an object. */
export function parseParams(
  def: MethodDef,
  raw: unknown,
): { ok: true; value: unknown } | { ok: false; error: AppError } {
  let r = def.params.safeParse(raw);
  if (!r.success && raw === undefined) r = def.params.safeParse({});
  if (r.success) return { ok: true, value: r.data };
  const issues = zodIssues(r.error);
  const first = issues[0];
  const where = first ? `${first.path.length ? first.path.join(".") : "(root)"}: ${first.message}` : "invalid";
  return { ok: false, error: appError(ManagerErrors.INVALID_PARAMS, `invalid params: ${where}`, { issues }) };
}

/**
 * The one dispatch path of every front door (MQTT requests, socket, REST): look up, check the
 * role, parse the params with the method's schema, run the handler, and turn whatever it throws
 * into an AppError (internal errors are logged here with their stack and answered generically).
 */
export async function invokeMethod(
  methods: MethodTable,
  name: string,
  rawParams: unknown,
  ctx: CallContext,
  log: Logger,
): Promise<CallOutcome> {
  const def = methods.get(name);
  if (!def)
    return {
      ok: false,
      error: appError(ManagerErrors.UNKNOWN_METHOD, `method not found: ${name}`),
    };
  return invokeDef(def, rawParams, ctx, log);
}

export async function invokeDef(
  def: MethodDef,
  rawParams: unknown,
  ctx: CallContext,
  log: Logger,
): Promise<CallOutcome> {
  const out = await dispatch(def, rawParams, ctx, log);
  ctx.audit?.(def, rawParams, ctx, out.ok ? "ok" : out.error.code);
  return out;
}

async function dispatch(def: MethodDef, rawParams: unknown, ctx: CallContext, log: Logger): Promise<CallOutcome> {
  if (!roleAllows(ctx.role, def.role)) {
    return {
      ok: false,
      error: appError(ManagerErrors.FORBIDDEN, `${def.name} needs role ${def.role}`),
    };
  }
  const p = parseParams(def, rawParams);
  if (!p.ok) return p;
  try {
    const result = await def.handler(p.value, ctx);
    return { ok: true, data: result === undefined ? null : result };
  } catch (e: unknown) {
    const error = classifyError(e);
    if (isInternal(error)) log.error({ err: e, method: def.name, user: ctx.username, via: ctx.via }, "method failed");
    else log.debug({ method: def.name, code: error.code }, "method returned an error");
    return { ok: false, error };
  }
}
