import {
  commandsGetResultSchema,
  hostsListResultSchema,
  hostsMetricsResultSchema,
  type HostsMetricsParams,
  historyQueryResultSchema,
  hostsConflictsResultSchema,
  type HostsConflictsParams,
  legacyLogsResultSchema,
  hostsCommandResultSchema,
  auditListResultSchema,
  tokensListResultSchema,
  tokensRevokeResultSchema,
  hostsRemoveResultSchema,
  usersSignOutResultSchema,
  type AuditListParams,
  nodesBindResultSchema,
  nodesUpsertResultSchema,
  okResultSchema,
  removedResultSchema,
  sectorsListResultSchema,
  sectorsUpsertResultSchema,
  serverInfoResultSchema,
  typesListResultSchema,
  typesUpsertResultSchema,
  usersListResultSchema,
  usersUpsertResultSchema,
  type HostsCommandParams,
  type NodeInput,
  type Role,
  type Sector,
  type BoardType,
} from "@bbb/shared";
import { z } from "zod";
import type { Requester } from "../mqtt/requester.js";

/**
 * nodes.import has no result schema in @bbb/shared yet: read the report defensively (counts
 * and per-line errors where present; the rest is shown as it came).
 */
export const importReportSchema = z.looseObject({
  dryRun: z.boolean().optional(),
  applied: z.boolean().optional(),
  created: z.union([z.number(), z.array(z.unknown())]).optional(),
  updated: z.union([z.number(), z.array(z.unknown())]).optional(),
  unchanged: z.union([z.number(), z.array(z.unknown())]).optional(),
  removed: z.union([z.number(), z.array(z.unknown())]).optional(),
  errors: z.array(z.looseObject({ line: z.number().optional(), message: z.string().optional() })).optional(),
});
export type ImportReport = z.infer<typeof importReportSchema>;

const anyOk = z.union([okResultSchema, removedResultSchema, z.unknown()]);

/** Typed calls of the manager's service methods (names and schemas of @bbb/shared's methods). */
export function createManagerApi(req: Requester) {
  return {
    /** One page of hosts.list (the first picture: one answer per page instead of one message per board). */
    hostsPage: (offset: number, limit: number) => req.call("hosts.list", { offset, limit }, hostsListResultSchema, { timeoutMs: 20_000 }),
    serverInfo: () => req.call("server.info", {}, serverInfoResultSchema),
    /** A bbbread board's own log (its `…:Logs` hash in Redis), newest first. */
    legacyLogs: async (id: string) => (await req.call("legacy.logs", { id }, legacyLogsResultSchema)).items,
    sectors: async () => (await req.call("sectors.list", {}, sectorsListResultSchema)).items,
    upsertSector: (s: Sector) => req.call("sectors.upsert", s, sectorsUpsertResultSchema),
    removeSector: (name: string) => req.call("sectors.remove", { name }, anyOk),
    types: async () => (await req.call("types.list", {}, typesListResultSchema)).items,
    upsertType: (t: z.input<typeof typesUpsertResultSchema> | BoardType) => req.call("types.upsert", t, typesUpsertResultSchema),
    removeType: (name: string, force = false) => req.call("types.remove", { name, force }, anyOk),
    /** `reason`: why it is saved over a conflict hosts.conflicts reported (kept in the history). */
    upsertNode: (n: NodeInput, reason?: string) => req.call("nodes.upsert", reason ? { ...n, reason } : n, nodesUpsertResultSchema),
    removeNode: (hostname: string) => req.call("nodes.remove", { hostname }, anyOk),
    bindNode: (hostname: string, boardId: string) => req.call("nodes.bind", { hostname, boardId, apply: true }, nodesBindResultSchema, { timeoutMs: 60_000 }),
    importNodes: (csv: string, dryRun: boolean) => req.call("nodes.import", { csv, dryRun }, importReportSchema, { timeoutMs: 60_000 }),
    users: async () => (await req.call("users.list", {}, usersListResultSchema)).items,
    upsertUser: (u: { username: string; role: Role; password?: string }) => req.call("users.upsert", u, usersUpsertResultSchema),
    removeUser: (username: string) => req.call("users.remove", { username }, anyOk),
    /** Sessions (docs/protocol.md "Sessions"): token ids and dates, never the tokens. */
    tokens: async () => (await req.call("tokens.list", {}, tokensListResultSchema)).items,
    revokeToken: (id: string) => req.call("tokens.revoke", { id }, tokensRevokeResultSchema),
    /** Forgets a board that is not alive: registry entry and retained topics go, history stays. */
    removeHost: (id: string) => req.call("hosts.remove", { id }, hostsRemoveResultSchema),
    signOut: (username: string) => req.call("users.signOut", { username }, usersSignOutResultSchema),
    audit: async (p: AuditListParams) => (await req.call("audit.list", p, auditListResultSchema)).items,
    /** Starts a run without waiting for it (wait:false): progress comes from result topics and commands.get. */
    command: (p: HostsCommandParams) => req.call("hosts.command", p, hostsCommandResultSchema, { timeoutMs: 30_000 }),
    run: (id: string) => req.call("commands.get", { id }, commandsGetResultSchema),
    history: async (id: string, since?: number) => (await req.call("hosts.history", since === undefined ? { id, limit: 500 } : { id, since, limit: 500 }, historyQueryResultSchema)).items,
    /** Who already has an IP or hostname (asked before a set-ip / set-hostname is sent). */
    conflicts: async (p: HostsConflictsParams) => (await req.call("hosts.conflicts", p, hostsConflictsResultSchema)).conflicts,
    /** Health series of one board (docs/protocol.md §"Health history"). */
    metrics: (p: HostsMetricsParams) => req.call("hosts.metrics", p, hostsMetricsResultSchema, { timeoutMs: 20_000 }),
    /** Role probe: a call whose params are deliberately empty (see session/role.ts). */
    raw: (method: string, params: unknown) => req.call(method, params, z.unknown()),
  };
}
export type ManagerApi = ReturnType<typeof createManagerApi>;
