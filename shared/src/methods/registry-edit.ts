import { z } from "zod";
import { boardIdSchema, hostnameSchema, nameSchema } from "../ids.js";
import { boardStateSchema, nodeSchema, nodeViewSchema, sectorSchema, typeSchema } from "../schemas/registry.js";
import { boolParamSchema, oneOrManySchema, pagingSchema } from "./common.js";
import { runSchema } from "./commands.js";

export const nodesListParamsSchema = z
  .object({
    state: oneOrManySchema(boardStateSchema).optional(),
    sector: oneOrManySchema(z.string().max(64)).optional(),
    type: oneOrManySchema(z.string().max(64)).optional(),
    text: z.string().max(128).optional(),
  })
  .extend(pagingSchema.shape)
  .strict()
  .default({ offset: 0, limit: 1000 });
export const nodesListResultSchema = z
  .object({
    total: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    items: z.array(nodeViewSchema),
  })
  .strict();

export const nodesGetParamsSchema = z.object({ hostname: hostnameSchema }).strict();
export const nodesGetResultSchema = nodeViewSchema;

/**
 * Creates or replaces the node with this hostname (REST: PUT /nodes/{hostname}). `reason`: why
 * it is saved although hosts.conflicts named someone holding its IP or hostname; the history
 * keeps it (docs/protocol.md §"Registry states").
 */
export const nodesUpsertParamsSchema = nodeSchema.extend({ reason: z.string().trim().min(1).max(512).optional() });
export const nodesUpsertResultSchema = nodeViewSchema;

export const nodesRemoveParamsSchema = z.object({ hostname: hostnameSchema }).strict();
export const removedResultSchema = z.object({ removed: z.boolean() }).strict();

/**
 * Binds a board to a node (replacing a dead board by a spare): node.boardId is set, and unless
 * `apply` is false the board is sent apply-node with the node's configuration.
 */
export const nodesBindParamsSchema = z
  .object({ hostname: hostnameSchema, boardId: boardIdSchema, apply: z.boolean().default(true) })
  .strict();
export const nodesBindResultSchema = z
  .object({ node: nodeViewSchema, previousBoardId: z.string().nullable(), run: runSchema.nullable() })
  .strict();

export const typesListParamsSchema = z.object({}).strict().default({});
export const typesListResultSchema = z.object({ items: z.array(typeSchema) }).strict();
export const typesGetParamsSchema = z.object({ name: nameSchema }).strict();
export const typesGetResultSchema = typeSchema;
export const typesUpsertParamsSchema = typeSchema;
export const typesUpsertResultSchema = typeSchema;
/** A type still used by nodes is refused (MGR_E_CONFLICT) unless `force`. */
export const typesRemoveParamsSchema = z.object({ name: nameSchema, force: boolParamSchema.default(false) }).strict();

export const sectorsListParamsSchema = z.object({}).strict().default({});
export const sectorsListResultSchema = z.object({ items: z.array(sectorSchema) }).strict();
export const sectorsUpsertParamsSchema = sectorSchema;
export const sectorsUpsertResultSchema = sectorSchema;
export const sectorsRemoveParamsSchema = z.object({ name: nameSchema }).strict();
