import { z } from "zod";
import { boardIdSchema } from "../ids.js";
import { actionNameSchema } from "../schemas/actions.js";
import { errorInfoSchema, resultStatusSchema } from "../schemas/result.js";
import { hostFilterSchema } from "./common.js";

/** The boards a command goes to: a list of board ids or a filter over the registry. */
export const commandTargetSchema = z.union([
  z.object({ ids: z.array(boardIdSchema).min(1).max(20_000) }).strict(),
  z.object({ filter: hostFilterSchema }).strict(),
]);
export type CommandTarget = z.infer<typeof commandTargetSchema>;

export const commandOptionsSchema = z
  .object({
    /** Boards with a command in flight at once. */
    concurrency: z.number().int().min(1).max(1000).default(50),
    /** Run the first N boards first; stop the run if any of them fails. */
    canary: z.number().int().min(0).max(1000).default(0),
    /** Stop the run (remaining boards `skipped`) after this many failures. */
    abortThreshold: z.number().int().min(1).optional(),
    /** Per-board wait for a final result. */
    timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** Time to live of the command on the board (docs/protocol.md §"Commands and results": older commands are `expired`). */
    ttlMs: z
      .number()
      .int()
      .positive()
      .max(24 * 3600_000)
      .optional(),
    /** Also send to boards that are not alive (by default they are `not-connected` and skipped). */
    includeDead: z.boolean().default(false),
    /** false: return at once with the run in state `running` (follow it with commands.get). */
    wait: z.boolean().default(true),
  })
  .strict();
export type CommandOptions = z.infer<typeof commandOptionsSchema>;
export type CommandOptionsInput = z.input<typeof commandOptionsSchema>;

/**
 * hosts.command: one board by `id` (REST: POST /hosts/{id}/commands/{action}) or a `target`.
 * `args` is validated against the action's schema before anything is sent.
 */
export const hostsCommandParamsSchema = z
  .object({
    id: boardIdSchema.optional(),
    target: commandTargetSchema.optional(),
    action: actionNameSchema,
    args: z.unknown().optional(),
    options: commandOptionsSchema.default(commandOptionsSchema.parse({})),
    /** Why the operator sent it anyway (a conflict they were warned about); kept in the audit trail. */
    reason: z.string().min(1).max(512).optional(),
  })
  .strict()
  .refine((p) => (p.id === undefined) !== (p.target === undefined), "give exactly one of id and target");
export type HostsCommandParams = z.input<typeof hostsCommandParamsSchema>;

/** Per-board outcome of a run: a result status, or why nothing final came back. */
export const outcomeStatuses = [
  "pending",
  "sent",
  "accepted",
  "running",
  "succeeded",
  "failed",
  "rejected",
  "expired",
  "timeout",
  "skipped",
  "not-connected",
  "not-found",
  "error",
] as const;
export const outcomeStatusSchema = z.enum(outcomeStatuses);
export type OutcomeStatus = z.infer<typeof outcomeStatusSchema>;
/** Outcomes that count as success: `accepted` is final for reboot / apply-node (the board goes away). */
export const SUCCESS_OUTCOMES: readonly OutcomeStatus[] = ["succeeded", "accepted"];

export const boardOutcomeSchema = z
  .object({
    boardId: z.string().max(64),
    status: outcomeStatusSchema,
    requestId: z.string().max(64).nullable(),
    lastResult: resultStatusSchema.nullable().default(null),
    exitCode: z.number().int().optional(),
    error: errorInfoSchema.optional(),
    output: z.string().max(8192).optional(),
    startedAt: z.number().int().nullable().default(null),
    finishedAt: z.number().int().nullable().default(null),
  })
  .strict();
export type BoardOutcome = z.infer<typeof boardOutcomeSchema>;

export const runStatuses = ["running", "completed", "aborted", "interrupted"] as const;
export const runStatusSchema = z.enum(runStatuses);
export type RunStatus = z.infer<typeof runStatusSchema>;

export const runSummarySchema = z
  .object({
    id: z.string().max(64),
    action: z.string().max(64),
    args: z.unknown(),
    by: z.string().max(128),
    via: z.string().max(16),
    status: runStatusSchema,
    abortReason: z.string().max(512).nullable(),
    createdAt: z.number().int(),
    finishedAt: z.number().int().nullable(),
    total: z.number().int().nonnegative(),
    counts: z.record(z.string(), z.number().int().nonnegative()),
    options: commandOptionsSchema,
  })
  .strict();
export type RunSummary = z.infer<typeof runSummarySchema>;

/** One aggregated result of a command run with every per-board outcome. */
export const runSchema = runSummarySchema.extend({ outcomes: z.array(boardOutcomeSchema) }).strict();
export type Run = z.infer<typeof runSchema>;

export const hostsCommandResultSchema = runSchema;

export const commandsListParamsSchema = z
  .object({
    status: runStatusSchema.optional(),
    offset: z.coerce.number().int().nonnegative().default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict()
  .default({ offset: 0, limit: 100 });
export const commandsListResultSchema = z.object({ items: z.array(runSummarySchema) }).strict();
export const commandsGetParamsSchema = z.object({ id: z.string().min(1).max(64) }).strict();
export const commandsGetResultSchema = runSchema;
