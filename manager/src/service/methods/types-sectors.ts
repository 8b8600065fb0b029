import {
  removedResultSchema,
  sectorsListParamsSchema,
  sectorsListResultSchema,
  sectorsRemoveParamsSchema,
  sectorsUpsertParamsSchema,
  sectorsUpsertResultSchema,
  typesGetParamsSchema,
  typesGetResultSchema,
  typesListParamsSchema,
  typesListResultSchema,
  typesRemoveParamsSchema,
  typesUpsertParamsSchema,
  typesUpsertResultSchema,
} from "@bbb/shared";
import { notFound } from "../../errors.js";
import { keepStoredSecrets, redactType } from "../../registry/type-secrets.js";
import { defineMethod, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";

export function typeAndSectorMethods(deps: ServiceDeps): MethodDef[] {
  return [
    defineMethod({
      name: "types.list",
      description: "Board types.",
      role: "viewer",
      params: typesListParamsSchema,
      result: typesListResultSchema,
      http: { method: "GET", path: "/types" },
      handler: () => ({ items: [...deps.registry.types.values()].map(redactType) }),
    }),
    defineMethod({
      name: "types.get",
      description: "One board type.",
      role: "viewer",
      params: typesGetParamsSchema,
      result: typesGetResultSchema,
      http: { method: "GET", path: "/types/{name}" },
      handler: (p) => {
        const t = deps.registry.types.get(p.name);
        if (!t) throw notFound(`type ${p.name}`);
        return redactType(t);
      },
    }),
    defineMethod({
      name: "types.upsert",
      description: "Creates or replaces a board type.",
      role: "operator",
      params: typesUpsertParamsSchema,
      result: typesUpsertResultSchema,
      http: { method: "PUT", path: "/types/{name}" },
      handler: async (p, ctx) => {
        const input = keepStoredSecrets(p, deps.registry.types.get(p.name));
        if (input.source) await deps.checkSource(input.source);
        return redactType(deps.editor.upsertType(input, { by: ctx.username, via: ctx.via }));
      },
    }),
    defineMethod({
      name: "types.remove",
      description: "Removes a board type; refused while nodes use it unless force.",
      role: "operator",
      params: typesRemoveParamsSchema,
      result: removedResultSchema,
      http: { method: "DELETE", path: "/types/{name}" },
      handler: (p, ctx) => ({ removed: deps.editor.removeType(p.name, p.force, { by: ctx.username, via: ctx.via }) }),
    }),
    defineMethod({
      name: "sectors.list",
      description: "Sectors and their CIDRs (a board's sector comes from its IP).",
      role: "viewer",
      params: sectorsListParamsSchema,
      result: sectorsListResultSchema,
      http: { method: "GET", path: "/sectors" },
      handler: () => ({ items: [...deps.registry.sectors()] }),
    }),
    defineMethod({
      name: "sectors.upsert",
      description: "Creates or replaces a sector.",
      role: "operator",
      params: sectorsUpsertParamsSchema,
      result: sectorsUpsertResultSchema,
      http: { method: "PUT", path: "/sectors/{name}" },
      handler: (p, ctx) => deps.editor.upsertSector(p, { by: ctx.username, via: ctx.via }),
    }),
    defineMethod({
      name: "sectors.remove",
      description: "Removes a sector.",
      role: "operator",
      params: sectorsRemoveParamsSchema,
      result: removedResultSchema,
      http: { method: "DELETE", path: "/sectors/{name}" },
      handler: (p, ctx) => {
        const removed = deps.editor.removeSector(p.name, { by: ctx.username, via: ctx.via });
        if (!removed) throw notFound(`sector ${p.name}`);
        return { removed };
      },
    }),
  ];
}
