import { z } from "zod";
import { sessionSchema } from "../ids.js";

/** Payload of `<root>/<boardId>/status`: birth `online`, clean stop `offline`, last will `lost`. */
export const boardStatusStates = ["online", "offline", "lost"] as const;
export const statusSchema = z
  .object({
    v: z.literal(1),
    state: z.enum(boardStatusStates),
    session: sessionSchema,
    ts: z.number().int().nonnegative(),
  })
  .strict();
export type Status = z.infer<typeof statusSchema>;

/** Payload of `<root>/manager/status` (retained; the manager's will says `lost`). */
export const managerStatusSchema = z
  .object({
    v: z.literal(1),
    /** `offline` on a clean stop; `lost` is the will of a manager that died. */
    state: z.enum(["online", "offline", "lost"]),
    ts: z.number().int().nonnegative(),
    version: z.string().max(64).optional(),
  })
  .strict();
export type ManagerStatus = z.infer<typeof managerStatusSchema>;
