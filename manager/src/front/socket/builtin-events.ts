import { z } from "zod";
import type { EventBus, RegistryEvent } from "../../service/events.js";
import type { MethodTable } from "../../service/method.js";
import type { Principal } from "../auth-types.js";
import { ManagerErrors } from "../../errors.js";
import { zodIssues } from "../invoke.js";
import { compileEventFilter, eventFilterSchema } from "./event-filter.js";
import { rpcError, rpcResult, type RpcId, type RpcResponse } from "./jsonrpc.js";
import type { ConnState } from "./conn-state.js";
import { roleAllows } from "@bbb/shared";

const subscribeParamsSchema = z.object({ filter: eventFilterSchema.optional() }).strict();

/**
 * `events.subscribe {filter}` makes the connection a stream of notifications
 * (`events.stateChange`, `events.commandResult`); a second subscribe replaces the filter.
 */
export function handleSubscribe(
  deps: { events: EventBus | undefined; serialize: (e: RegistryEvent) => string },
  state: ConnState,
  id: RpcId,
  method: "events.subscribe" | "events.unsubscribe",
  params: unknown,
): RpcResponse {
  if (method === "events.unsubscribe") {
    const was = state.unsubscribe !== null;
    state.unsubscribe?.();
    state.unsubscribe = null;
    return rpcResult(id, { subscribed: false, was });
  }
  const p = subscribeParamsSchema.safeParse(params ?? {});
  if (!p.success) {
    return rpcError(id, ManagerErrors.INVALID_PARAMS, "invalid params", {
      issues: zodIssues(p.error),
    });
  }
  if (!deps.events) return rpcError(id, ManagerErrors.UNAVAILABLE, "events are not available");
  const match = compileEventFilter(p.data.filter ?? {});
  state.unsubscribe?.();
  state.unsubscribe = deps.events.on((e) => {
    // A flapping board's further changes are not streamed (no flood of notifications, RELIABILITY.md §"Flapping board").
    if (e.kind === "state-change" && e.quiet) return;
    if (match(e)) state.sendRaw(deps.serialize(e));
  });
  return rpcResult(id, { subscribed: true, filter: p.data.filter ?? {} });
}

/** `methods.list`: what this caller may call, for `bbbctl` and people exploring with socat. */
export function listMethods(methods: MethodTable, principal: Principal, id: RpcId): RpcResponse {
  const builtin = [
    { name: "auth", description: "Authenticate: {username, password} or {token}.", role: "viewer" },
    { name: "events.subscribe", description: "Stream registry events as notifications: {filter?}.", role: "viewer" },
    { name: "events.unsubscribe", description: "Stop the event stream.", role: "viewer" },
    { name: "methods.list", description: "Methods this connection may call.", role: "viewer" },
  ];
  const table = [...methods.values()]
    .filter((m) => roleAllows(principal.role, m.role))
    .map((m) => ({ name: m.name, description: m.description, role: m.role }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return rpcResult(id, [...builtin, ...table]);
}
