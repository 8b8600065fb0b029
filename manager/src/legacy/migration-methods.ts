import {
  agentKinds,
  legacyLogsParamsSchema,
  legacyLogsResultSchema,
  emptyParamsSchema,
  migrationStatusResultSchema,
  type LegacyBoardRow,
  type MigrationStatus,
} from "@bbb/shared";
import { notFound } from "../errors.js";
import { defineMethod, type MethodDef } from "../service/method.js";
import type { ServiceDeps } from "../service/methods/index.js";

export interface MigrationSources {
  bridges: () => MigrationStatus["bridges"];
  /** A bbbread board's Logs hash; null when the board is not a bbbread board. */
  logs: (id: string) => Promise<{ ts: number; text: string }[] | null>;
}

/** Counts per agent kind, overall and per sector, and the boards still on old daemons. */
export function migrationStatus(deps: ServiceDeps, bridges: MigrationStatus["bridges"]): MigrationStatus {
  const zero = () => Object.fromEntries(agentKinds.map((a) => [a, 0])) as Record<string, number>;
  const byAgent = zero();
  // A Map: a sector name comes from a board and may be `__proto__`.
  const bySector = new Map<string, Record<string, number>>();
  const legacy: LegacyBoardRow[] = [];
  let total = 0;
  for (const rec of deps.registry.records.values()) {
    if (rec.state === null) continue;
    total++;
    byAgent[rec.agent] = (byAgent[rec.agent] ?? 0) + 1;
    const sector = rec.sector ?? "";
    let s = bySector.get(sector);
    if (!s) bySector.set(sector, (s = zero()));
    s[rec.agent] = (s[rec.agent] ?? 0) + 1;
    const hb = rec.live.heartbeat;
    if (rec.agent !== "bbb-agent" && hb)
      legacy.push({
        id: rec.id,
        hostname: hb.hostname,
        ip: hb.ip,
        sector: rec.sector,
        agent: rec.agent,
        state: rec.state,
      });
  }
  legacy.sort((a, b) => (a.sector ?? "").localeCompare(b.sector ?? "") || a.hostname.localeCompare(b.hostname));
  return { ts: deps.now(), total, byAgent, bySector: Object.fromEntries(bySector), legacy, bridges };
}

/** `migration.status` and `legacy.logs` on every front door (docs/migration.md). */
export function createMigrationMethods(src: MigrationSources) {
  return (deps: ServiceDeps): readonly MethodDef[] => [
    defineMethod({
      name: "migration.status",
      description:
        "How far the move to bbb-agent is: boards per agent kind and sector, boards still on old daemons, bridges.",
      role: "viewer",
      params: emptyParamsSchema,
      result: migrationStatusResultSchema,
      http: { method: "GET", path: "/migration" },
      handler: () => migrationStatus(deps, src.bridges()),
    }),
    defineMethod({
      name: "legacy.logs",
      description: "The log a bbbread board keeps in Redis (`…:Logs`), newest first.",
      role: "viewer",
      params: legacyLogsParamsSchema,
      result: legacyLogsResultSchema,
      http: { method: "GET", path: "/legacy/{id}/logs" },
      handler: async (p) => {
        const items = await src.logs(p.id);
        if (items === null) throw notFound(`bbbread board ${p.id}`);
        return { items };
      },
    }),
  ];
}
