import {
  nodesExportParamsSchema,
  nodesExportResultSchema,
  nodesImportParamsSchema,
  nodesImportResultSchema,
  type NodesImportResult,
} from "@bbb/shared";
import { exportNodesCsv } from "../../csv/export-nodes.js";
import { planNodesImport, type ImportPlan } from "../../csv/import-plan.js";
import { defineMethod, type CallContext, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";

const asList = <T>(v: T | T[] | undefined): T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/**
 * Writes a valid plan in one SQLite transaction (the editor's bulk upsert, removals, and one
 * summary record naming who imported). If the transaction fails the in-memory registry is
 * reloaded from the store, so it never shows a half-applied import.
 */
function applyPlan(deps: ServiceDeps, plan: ImportPlan, ctx: CallContext): void {
  const who = { by: ctx.username, via: ctx.via };
  const { counts } = plan.report;
  try {
    deps.store.transaction(() => {
      if (plan.upserts.length > 0) deps.editor.upsertNodes(plan.upserts, who);
      for (const h of plan.removals) deps.editor.removeNode(h, who);
      deps.store.history.appendOne({
        ts: deps.now(),
        kind: "registry",
        boardId: null,
        hostname: null,
        by: ctx.username,
        message: `nodes imported from CSV: ${counts.added} added, ${counts.changed} changed, ${counts.removed} removed`,
        data: { via: ctx.via, ...counts, replace: plan.report.replace },
      });
    });
  } catch (e: unknown) {
    deps.registry.setNodes(deps.store.registry.listNodes());
    for (const n of [...plan.upserts.map((u) => u.hostname), ...plan.removals]) deps.publisher.nodeChanged(n);
    throw e;
  }
}

/** nodes.import / nodes.export (docs/protocol.md §"Nodes as CSV"). */
export function nodeCsvMethods(deps: ServiceDeps): MethodDef[] {
  return [
    defineMethod({
      name: "nodes.import",
      description:
        "Imports nodes from CSV (hostname, ip, type, sector, pv, optional netmask, gateway, …): reports what would change and bad rows by line; applies nothing unless every row is valid, nothing on a dry run; replace removes nodes not in the CSV.",
      role: "operator",
      params: nodesImportParamsSchema,
      result: nodesImportResultSchema,
      http: { method: "POST", path: "/nodes/import" },
      handler: (p, ctx): NodesImportResult => {
        const plan = planNodesImport(
          p.csv,
          { replace: p.replace },
          {
            nodes: deps.registry.nodes,
            types: deps.registry.types,
            sectors: deps.registry.sectors(),
          },
        );
        const ok = plan.report.errors.length === 0;
        if (ok && !p.dryRun) applyPlan(deps, plan, ctx);
        deps.log.info(
          { by: ctx.username, via: ctx.via, dryRun: p.dryRun, ...plan.report.counts },
          ok && !p.dryRun ? "nodes imported" : "nodes import checked",
        );
        return { ...plan.report, dryRun: p.dryRun, applied: ok && !p.dryRun };
      },
    }),
    defineMethod({
      name: "nodes.export",
      description: "The nodes as CSV text (the columns nodes.import reads), optionally only some types or sectors.",
      role: "viewer",
      params: nodesExportParamsSchema,
      result: nodesExportResultSchema,
      http: { method: "GET", path: "/nodes/export" },
      handler: (p) => {
        const types = asList(p.type);
        const sectors = asList(p.sector);
        const nodes = [...deps.registry.nodes.values()].filter(
          (n) =>
            (!types || types.includes(n.type)) && (!sectors || sectors.includes(deps.registry.nodeSectorOf(n) ?? "")),
        );
        return exportNodesCsv(nodes, deps.registry.sectors());
      },
    }),
  ];
}
