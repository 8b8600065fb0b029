import { z } from "zod";

export const logLevels = ["debug", "info", "warn", "error"] as const;
/** Payload of `<root>/<boardId>/log`. */
export const logSchema = z
  .object({
    v: z.literal(1),
    level: z.enum(logLevels),
    msg: z.string().max(4096),
    ts: z.number().int().nonnegative(),
  })
  .strict();
export type LogLine = z.infer<typeof logSchema>;
