import { z } from "zod";
import { requestIdSchema } from "../ids.js";

export const resultStatuses = ["accepted", "running", "succeeded", "failed", "rejected", "expired"] as const;
export const resultStatusSchema = z.enum(resultStatuses);
export type ResultStatus = z.infer<typeof resultStatusSchema>;
export const FINAL_STATUSES: readonly ResultStatus[] = ["succeeded", "failed", "rejected", "expired"];
export function isFinalStatus(s: ResultStatus): boolean {
  return FINAL_STATUSES.includes(s);
}

export const errorInfoSchema = z.object({ code: z.string().max(64), message: z.string().max(2048) }).strict();
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

/** Payload of `<root>/<boardId>/result/<requestId>`. */
export const resultSchema = z
  .object({
    v: z.literal(1),
    id: requestIdSchema,
    action: z.string().max(64),
    status: resultStatusSchema,
    progress: z.number().min(0).max(1).optional(),
    exitCode: z.number().int().optional(),
    output: z.string().max(96 * 1024).optional(),
    error: errorInfoSchema.optional(),
    /** Structured outcome of some actions (a sync's dry-run diff, transfer counters). */
    data: z.record(z.string(), z.unknown()).optional(),
    ts: z.number().int().nonnegative(),
  })
  .strict();
export type Result = z.infer<typeof resultSchema>;
