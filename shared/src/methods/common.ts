import { z } from "zod";
import { agentKindSchema, boardStateSchema, problemSchema } from "../schemas/registry.js";

/** Paging shared by every list method: `offset` rows skipped, at most `limit` returned. */
export const pagingSchema = z.object({
  offset: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** A filter value given once or as a list (REST query strings give `a,b`). */
export const oneOrManySchema = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.includes(",") ? v.split(",") : v),
    z.union([item, z.array(item).max(64)]),
  );

/** A boolean that also accepts the strings "true" / "false" of a query string. */
export const boolParamSchema = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());

export const problemCodeSchema = problemSchema.shape.code;

/** Which boards a list or a bulk command selects; every field narrows the selection. */
export const hostFilterSchema = z
  .object({
    state: oneOrManySchema(boardStateSchema).optional(),
    sector: oneOrManySchema(z.string().max(64)).optional(),
    type: oneOrManySchema(z.string().max(64)).optional(),
    /** A problem code, or `any` for boards with at least one problem. */
    problem: z.union([problemCodeSchema, z.literal("any")]).optional(),
    /** Case-insensitive substring of id, hostname, IP, type or PV prefix. */
    text: z.string().max(128).optional(),
    flapping: boolParamSchema.optional(),
    /** What speaks for the board: our agent or a legacy daemon (docs/protocol.md "Agent kinds"). */
    agent: oneOrManySchema(agentKindSchema).optional(),
    /** Boards that rebooted unexpectedly at least this many times in the last 24 h. */
    rebootedMin: z.coerce.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export type HostFilter = z.infer<typeof hostFilterSchema>;

export const emptyParamsSchema = z.object({}).strict().default({});
export const okResultSchema = z.object({ ok: z.literal(true) }).strict();
