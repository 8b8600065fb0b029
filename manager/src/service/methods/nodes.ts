import {
  commandOptionsSchema,
  nodesBindParamsSchema,
  nodesBindResultSchema,
  nodesGetParamsSchema,
  nodesGetResultSchema,
  nodesListParamsSchema,
  nodesListResultSchema,
  nodesRemoveParamsSchema,
  nodesUpsertParamsSchema,
  nodesUpsertResultSchema,
  removedResultSchema,
  applyNodeArgs,
  type NodeView,
} from "@bbb/shared";
import { notFound } from "../../errors.js";
import { defineMethod, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";
import { nodeCsvMethods } from "./nodes-csv.js";

const asList = <T>(v: T | T[] | undefined): T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

export { applyNodeArgs };

export function nodeMethods(deps: ServiceDeps): MethodDef[] {
  const view = (hostname: string): NodeView => {
    const v = deps.registry.nodeView(hostname);
    if (!v) throw notFound(`node ${hostname}`);
    return v;
  };
  return [
    defineMethod({
      name: "nodes.list",
      description: "Nodes (expected boards) with the board each is matched with and its state.",
      role: "viewer",
      params: nodesListParamsSchema,
      result: nodesListResultSchema,
      http: { method: "GET", path: "/nodes" },
      handler: (p) => {
        const states = asList(p.state);
        const sectors = asList(p.sector);
        const types = asList(p.type);
        const text = p.text?.toLowerCase();
        const items: NodeView[] = [];
        for (const hostname of deps.registry.nodes.keys()) {
          const v = deps.registry.nodeView(hostname);
          if (!v) continue;
          if (states && !states.includes(v.state)) continue;
          if (sectors && !sectors.includes(deps.registry.nodeSectorOf(v.node) ?? "")) continue;
          if (types && !types.includes(v.node.type)) continue;
          if (
            text &&
            !`${v.node.hostname} ${v.boardId ?? ""} ${v.node.ip.mode === "manual" ? v.node.ip.ip : "dhcp"} ${v.node.pvPrefixes.join(" ")}`
              .toLowerCase()
              .includes(text)
          )
            continue;
          items.push(v);
        }
        return { total: items.length, offset: p.offset, items: items.slice(p.offset, p.offset + p.limit) };
      },
    }),
    defineMethod({
      name: "nodes.get",
      description: "One node.",
      role: "viewer",
      params: nodesGetParamsSchema,
      result: nodesGetResultSchema,
      http: { method: "GET", path: "/nodes/{hostname}" },
      handler: (p) => view(p.hostname),
    }),
    defineMethod({
      name: "nodes.upsert",
      description: "Creates or replaces the node with this hostname.",
      role: "operator",
      params: nodesUpsertParamsSchema,
      result: nodesUpsertResultSchema,
      http: { method: "PUT", path: "/nodes/{hostname}" },
      handler: (p, ctx) => {
        const { reason, ...node } = p;
        deps.editor.upsertNodes([node], { by: ctx.username, via: ctx.via }, reason);
        return view(node.hostname);
      },
    }),
    defineMethod({
      name: "nodes.remove",
      description: "Removes a node (its retained topic is cleared).",
      role: "operator",
      params: nodesRemoveParamsSchema,
      result: removedResultSchema,
      http: { method: "DELETE", path: "/nodes/{hostname}" },
      handler: (p, ctx) => ({ removed: deps.editor.removeNode(p.hostname, { by: ctx.username, via: ctx.via }) }),
    }),
    defineMethod({
      name: "nodes.bind",
      description:
        "Binds a board to a node (a spare replacing a dead board) and, unless apply is false, sends it apply-node.",
      role: "operator",
      params: nodesBindParamsSchema,
      result: nodesBindResultSchema,
      http: { method: "POST", path: "/nodes/{hostname}/bind" },
      handler: async (p, ctx) => {
        const { node, previousBoardId } = deps.editor.bind(p.hostname, p.boardId, { by: ctx.username, via: ctx.via });
        const run = p.apply
          ? await deps.runner.run({
              ids: [p.boardId],
              action: "apply-node",
              args: applyNodeArgs(node),
              options: commandOptionsSchema.parse({}),
              by: ctx.username,
              via: ctx.via,
              onProgress: ctx.onProgress,
            })
          : null;
        return { node: view(p.hostname), previousBoardId, run };
      },
    }),
    ...nodeCsvMethods(deps),
  ];
}
