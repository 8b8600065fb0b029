import { ROLE_RANK, describeZodError, type Role } from "@bbb/shared";
import type { Logger } from "pino";
import { ManagerErrorCodes, isManagerError } from "../errors.js";
import type { CallContext, MethodDef, MethodTable } from "./method.js";

export type InvokeOutcome = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/** Whether `role` may call a method that needs `least`. */
export function roleAllows(role: Role, least: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[least];
}

/**
 * The one boundary every front door calls: method lookup, role check, params validation with
 * the method's schema, the handler, and error mapping. A ManagerError keeps its code and
 * message; anything else is logged and answered as MGR_E_INTERNAL without its text.
 */
export async function invokeMethod(
  table: MethodTable,
  name: string,
  params: unknown,
  ctx: CallContext,
  log: Logger,
): Promise<InvokeOutcome> {
  const m = table.get(name);
  if (!m)
    return {
      ok: false,
      error: { code: ManagerErrorCodes.UNKNOWN_METHOD, message: `unknown method ${name.slice(0, 64)}` },
    };
  const out = await dispatch(m, params, ctx, log);
  ctx.audit?.(m, params, ctx, out.ok ? "ok" : out.error.code);
  return out;
}

async function dispatch(m: MethodDef, params: unknown, ctx: CallContext, log: Logger): Promise<InvokeOutcome> {
  const name = m.name;
  if (!roleAllows(ctx.role, m.role)) {
    return { ok: false, error: { code: ManagerErrorCodes.FORBIDDEN, message: `${name} needs the ${m.role} role` } };
  }
  const p = m.params.safeParse(params ?? {});
  if (!p.success)
    return { ok: false, error: { code: ManagerErrorCodes.INVALID_PARAMS, message: describeZodError(p.error) } };
  try {
    return { ok: true, data: await m.handler(p.data, ctx) };
  } catch (e: unknown) {
    if (isManagerError(e)) return { ok: false, error: { code: e.code, message: e.message } };
    log.error({ err: e, method: name, user: ctx.username, via: ctx.via }, "method failed");
    return { ok: false, error: { code: ManagerErrorCodes.INTERNAL, message: "internal error" } };
  }
}
