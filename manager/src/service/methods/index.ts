import type { MethodDef, MethodTable } from "../method.js";
import { adminMethods } from "./admin.js";
import { commandMethods } from "./commands.js";
import { conflictMethods } from "./conflicts.js";
import type { ServiceDeps } from "./deps.js";
import { hostMethods } from "./hosts.js";
import { metricMethods } from "./metrics.js";
import { nodeMethods } from "./nodes.js";
import { sessionMethods } from "./sessions.js";
import { typeAndSectorMethods } from "./types-sectors.js";

export type { ServiceDeps } from "./deps.js";
export { applyNodeArgs } from "./nodes.js";

/**
 * The service layer as one table: the built-in methods plus any extra lists (CSV import /
 * export, projects) other parts add. A name defined twice is a programming error.
 */
export function createMethodTable(deps: ServiceDeps, ...extra: readonly (readonly MethodDef[])[]): MethodTable {
  const table = new Map<string, MethodDef>();
  const lists = [
    hostMethods(deps),
    metricMethods(deps),
    commandMethods(deps),
    nodeMethods(deps),
    typeAndSectorMethods(deps),
    adminMethods(deps),
    sessionMethods(deps),
    conflictMethods(deps),
    ...extra,
  ];
  for (const list of lists) {
    for (const m of list) {
      if (table.has(m.name)) throw new Error(`service method ${m.name} defined twice`);
      table.set(m.name, m);
    }
  }
  return table;
}
