import { BrokerErrors, type UserStore } from "@bbb/broker";
import {
  boardlessState,
  CodedError,
  historyQueryParamsSchema,
  historyQueryResultSchema,
  isCodedError,
  removedResultSchema,
  serverInfoParamsSchema,
  serverInfoResultSchema,
  usersListParamsSchema,
  usersListResultSchema,
  usersRemoveParamsSchema,
  usersUpsertParamsSchema,
  usersUpsertResultSchema,
} from "@bbb/shared";
import { ManagerErrorCodes, conflict } from "../../errors.js";
import { defineMethod, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";

const userStore = (deps: ServiceDeps): UserStore => {
  if (!deps.users) throw new CodedError(ManagerErrorCodes.UNAVAILABLE, "no user store on this server");
  return deps.users;
};

/** A user-store refusal (short password, new user without one) is the caller's error. */
async function userCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e: unknown) {
    if (isCodedError(e, BrokerErrors)) throw new CodedError(ManagerErrorCodes.INVALID_PARAMS, e.message);
    throw e;
  }
}

export function adminMethods(deps: ServiceDeps): MethodDef[] {
  return [
    defineMethod({
      name: "history.query",
      description: "Audit history: state changes, commands, results, registry edits; newest first.",
      role: "viewer",
      params: historyQueryParamsSchema,
      result: historyQueryResultSchema,
      http: { method: "GET", path: "/history" },
      handler: (p) => {
        deps.store.flush();
        return { items: deps.store.history.query(p) };
      },
    }),
    defineMethod({
      name: "users.list",
      description: "Users of the dashboard, socket and REST API.",
      role: "admin",
      params: usersListParamsSchema,
      result: usersListResultSchema,
      http: { method: "GET", path: "/users" },
      handler: () => ({
        items: userStore(deps)
          .list()
          .map((u) => ({ username: u.username, role: u.role })),
      }),
    }),
    defineMethod({
      name: "users.upsert",
      description: "Creates a user (password required) or changes its role / password.",
      role: "admin",
      params: usersUpsertParamsSchema,
      result: usersUpsertResultSchema,
      http: { method: "PUT", path: "/users/{username}" },
      handler: async (p, ctx) => {
        const before = userStore(deps)
          .list()
          .find((u) => u.username === p.username);
        await userCall(() => userStore(deps).upsert(p.username, p.role, p.password));
        // A new password or role ends every session of the old one, on every door.
        if (before && (p.password !== undefined || before.role !== p.role))
          deps.sessions?.signOut(p.username, p.password !== undefined ? "password changed" : "role changed");
        deps.store.record({
          ts: deps.now(),
          kind: "registry",
          boardId: null,
          hostname: null,
          by: ctx.username,
          message: `user ${p.username} set to ${p.role}${p.password ? " (password changed)" : ""}`,
          data: { via: ctx.via },
        });
        return { username: p.username, role: p.role };
      },
    }),
    defineMethod({
      name: "users.remove",
      description: "Removes a user (not yourself).",
      role: "admin",
      params: usersRemoveParamsSchema,
      result: removedResultSchema,
      http: { method: "DELETE", path: "/users/{username}" },
      handler: async (p, ctx) => {
        if (p.username === ctx.username) throw conflict("you cannot remove your own user");
        const removed = await userCall(() => userStore(deps).remove(p.username));
        if (removed) deps.sessions?.signOut(p.username, "user removed");
        if (removed)
          deps.store.record({
            ts: deps.now(),
            kind: "registry",
            boardId: null,
            hostname: null,
            by: ctx.username,
            message: `user ${p.username} removed`,
            data: { via: ctx.via },
          });
        return { removed };
      },
    }),
    defineMethod({
      name: "server.info",
      description: "Version, ports, broker mode and counts.",
      role: "viewer",
      params: serverInfoParamsSchema,
      result: serverInfoResultSchema,
      http: { method: "GET", path: "/server/info" },
      handler: (_p, ctx) => {
        const t = deps.now();
        const byState: Record<string, number> = {};
        let boards = 0;
        let alive = 0;
        for (const rec of deps.registry.records.values()) {
          if (rec.state === null) continue;
          boards++;
          if (rec.alive) alive++;
          byState[rec.state] = (byState[rec.state] ?? 0) + 1;
        }
        for (const [h, node] of deps.registry.nodes) {
          if (deps.registry.boardOfNode(h) !== null) continue;
          const s = boardlessState(node);
          byState[s] = (byState[s] ?? 0) + 1;
        }
        const b = deps.broker();
        return {
          version: deps.version,
          caller: { username: ctx.username, role: ctx.role },
          topicRoot: deps.topicRoot,
          startedAt: deps.startedAt,
          uptimeS: Math.round((t - deps.startedAt) / 1000),
          broker: b.mode,
          ports: deps.ports(),
          counts: {
            boards,
            alive,
            nodes: deps.registry.nodes.size,
            types: deps.registry.types.size,
            sectors: deps.registry.sectors().length,
            byState,
            mqttClients: b.clients,
            runsInFlight: deps.runner.activeCount(),
          },
        };
      },
    }),
  ];
}
