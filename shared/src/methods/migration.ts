import { z } from "zod";
import { boardIdSchema } from "../ids.js";
import { agentKindSchema, boardStateSchema } from "../schemas/registry.js";

const countsByAgent = z.record(z.string(), z.number().int().nonnegative());

/** A board still on an old daemon, for the rollout list of the migration view. */
export const legacyBoardRowSchema = z
  .object({
    id: z.string().max(64),
    hostname: z.string().max(253),
    ip: z.string().max(45),
    sector: z.string().max(64).nullable(),
    agent: agentKindSchema,
    state: boardStateSchema,
  })
  .strict();
export type LegacyBoardRow = z.infer<typeof legacyBoardRowSchema>;

/** How far the move to bbb-agent is (docs/migration.md): boards per agent kind, overall and per sector. */
export const migrationStatusResultSchema = z
  .object({
    ts: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    byAgent: countsByAgent,
    bySector: z.record(z.string(), countsByAgent),
    legacy: z.array(legacyBoardRowSchema),
    bridges: z
      .object({
        bbbread: z
          .object({
            on: z.boolean(),
            mode: z.enum(["beside", "replace"]).nullable(),
            keyspaceEvents: z.boolean().nullable(),
            hashes: z.number().int().nonnegative(),
          })
          .strict(),
        bbbDaemon: z
          .object({
            on: z.boolean(),
            port: z.number().int().nullable(),
            boards: z.number().int().nonnegative(),
            dropped: z.record(z.string(), z.number().int().nonnegative()),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();
export type MigrationStatus = z.infer<typeof migrationStatusResultSchema>;

export const legacyLogsParamsSchema = z.object({ id: boardIdSchema }).strict();
/** A bbbread board's `…:Logs` hash, newest first. */
export const legacyLogsResultSchema = z
  .object({ items: z.array(z.object({ ts: z.number().int().nonnegative(), text: z.string().max(4096) }).strict()) })
  .strict();
