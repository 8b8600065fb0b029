import {
  hostsCommandParamsSchema,
  hostsCommandResultSchema,
  hostsGetParamsSchema,
  hostsGetResultSchema,
  hostsHistoryParamsSchema,
  hostsListParamsSchema,
  hostsListResultSchema,
  hostsRemoveParamsSchema,
  hostsRemoveResultSchema,
  historyQueryResultSchema,
  type CommandTarget,
  type HostsCommandParams,
} from "@bbb/shared";
import type { z } from "zod";
import { allHostViews, createHostMatcher, selectBoardIds } from "../../commands/select-boards.js";
import { notFound } from "../../errors.js";
import { forgetBoard } from "../forget-board.js";
import { defineMethod, type CallContext, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";

/** The one service function for commands: one board, a list, or a filter. */
export function commandHandler(deps: ServiceDeps) {
  return (p: z.output<typeof hostsCommandParamsSchema>, ctx: CallContext) => {
    const target: CommandTarget = p.id !== undefined ? { ids: [p.id] } : (p.target as CommandTarget);
    const ids = "ids" in target ? target.ids : selectBoardIds(deps.registry, target.filter);
    return deps.runner.run({
      ids,
      action: p.action,
      args: p.args,
      options: p.options,
      by: ctx.username,
      via: ctx.via,
      onProgress: ctx.onProgress,
      signal: ctx.signal,
    });
  };
}
export type { HostsCommandParams };

export function hostMethods(deps: ServiceDeps): MethodDef[] {
  return [
    defineMethod({
      name: "hosts.list",
      description: "Boards and nodes without a board, worst state first, filtered and paged.",
      role: "viewer",
      params: hostsListParamsSchema,
      result: hostsListResultSchema,
      http: { method: "GET", path: "/hosts" },
      handler: (p) => {
        const match = createHostMatcher(p);
        const all = allHostViews(deps.registry, deps.now()).filter(match);
        return { total: all.length, offset: p.offset, items: all.slice(p.offset, p.offset + p.limit) };
      },
    }),
    defineMethod({
      name: "hosts.get",
      description: "The host view of one board.",
      role: "viewer",
      params: hostsGetParamsSchema,
      result: hostsGetResultSchema,
      http: { method: "GET", path: "/hosts/{id}" },
      handler: (p) => {
        const rec = deps.registry.records.get(p.id);
        if (!rec || rec.state === null) throw notFound(`board ${p.id}`);
        return deps.registry.hostView(rec);
      },
    }),
    defineMethod({
      name: "hosts.command",
      description: "Sends an action to one board (id) or to a target (ids or filter); returns the aggregated run.",
      role: "operator",
      params: hostsCommandParamsSchema,
      result: hostsCommandResultSchema,
      http: { method: "POST", path: "/hosts/{id}/commands/{action}" },
      handler: commandHandler(deps),
    }),
    defineMethod({
      name: "hosts.history",
      description: "History of one board, newest first.",
      role: "viewer",
      params: hostsHistoryParamsSchema,
      result: historyQueryResultSchema,
      http: { method: "GET", path: "/hosts/{id}/history" },
      handler: (p) => {
        deps.store.flush();
        return { items: deps.store.history.query({ boardId: p.id, since: p.since, before: p.before, limit: p.limit }) };
      },
    }),
    defineMethod({
      name: "hosts.remove",
      description: "Forgets a board that is not alive: clears its retained status, heartbeat and host view.",
      role: "operator",
      params: hostsRemoveParamsSchema,
      result: hostsRemoveResultSchema,
      http: { method: "DELETE", path: "/hosts/{id}" },
      handler: (p, ctx) => {
        const removed = forgetBoard(deps, p.id, { by: ctx.username, via: ctx.via });
        return { removed };
      },
    }),
  ];
}
