import { z } from "zod";
import { boardIdSchema } from "../ids.js";

export const historyKinds = [
  "state-change",
  "flapping",
  "command",
  "result",
  "run",
  "registry",
  "log",
  "alarm",
  "reboot",
] as const;
export const historyKindSchema = z.enum(historyKinds);
export type HistoryKind = z.infer<typeof historyKindSchema>;

/** One audit record: what happened, when, to which board / node, and who asked. */
export const historyEntrySchema = z
  .object({
    id: z.number().int().positive(),
    ts: z.number().int().nonnegative(),
    kind: historyKindSchema,
    boardId: z.string().max(64).nullable(),
    hostname: z.string().max(253).nullable(),
    by: z.string().max(128).nullable(),
    message: z.string().max(1024),
    data: z.unknown(),
  })
  .strict();
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const historyQueryParamsSchema = z
  .object({
    boardId: boardIdSchema.optional(),
    hostname: z.string().max(253).optional(),
    kind: z
      .preprocess(
        (v) => (typeof v === "string" ? v.split(",") : v),
        z.array(historyKindSchema).max(historyKinds.length),
      )
      .optional(),
    by: z.string().max(128).optional(),
    since: z.coerce.number().int().nonnegative().optional(),
    until: z.coerce.number().int().nonnegative().optional(),
    /** Cursor: only entries with a smaller id (the next page of a newest-first listing). */
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(200),
  })
  .strict()
  .default({ limit: 200 });
export type HistoryQuery = z.infer<typeof historyQueryParamsSchema>;
export const historyQueryResultSchema = z.object({ items: z.array(historyEntrySchema) }).strict();

export const hostsHistoryParamsSchema = z
  .object({
    id: boardIdSchema,
    since: z.coerce.number().int().nonnegative().optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(200),
  })
  .strict();
