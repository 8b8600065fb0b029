import { z } from "zod";
import { requestIdSchema } from "../ids.js";

/**
 * Payload of `<root>/<boardId>/cmd/<action>`. `{}` or an empty payload is valid for actions
 * without arguments; an absent `id` gets one from the agent (its result topic tells which).
 */
export const commandSchema = z
  .object({
    id: requestIdSchema.optional(),
    args: z.unknown().optional(),
    issuedAt: z.number().int().nonnegative().optional(),
    ttlMs: z.number().int().positive().max(24 * 3600_000).optional(),
    /** Who asked, filled in by the manager for the audit trail; informational on the board. */
    by: z.string().max(128).optional(),
  })
  .strict();
export type Command = z.infer<typeof commandSchema>;
