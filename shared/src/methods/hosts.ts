import { z } from "zod";
import { boardIdSchema } from "../ids.js";
import { hostViewSchema } from "../schemas/registry.js";
import { hostFilterSchema, pagingSchema } from "./common.js";

export const hostsListParamsSchema = hostFilterSchema
  .extend(pagingSchema.shape)
  .strict()
  .default({ offset: 0, limit: 1000 });
export type HostsListParams = z.input<typeof hostsListParamsSchema>;

/**
 * A row of hosts.list: the host view of a live (or dead) board, or of a node with no board
 * (state `missing`, or `spare` for a spare node; `id` is the node's bound board id, or "" when
 * it has none).
 */
export const hostsListResultSchema = z
  .object({
    total: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    items: z.array(hostViewSchema),
  })
  .strict();
export type HostsListResult = z.infer<typeof hostsListResultSchema>;

export const hostsGetParamsSchema = z.object({ id: boardIdSchema }).strict();
export const hostsGetResultSchema = hostViewSchema;

/** Forget a board that is not alive: its retained status, heartbeat and host view are cleared. */
export const hostsRemoveParamsSchema = z.object({ id: boardIdSchema }).strict();
export const hostsRemoveResultSchema = z.object({ removed: z.boolean() }).strict();
