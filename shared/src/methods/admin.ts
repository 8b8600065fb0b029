import { z } from "zod";
import { nameSchema } from "../ids.js";
import { roleSchema } from "../schemas/manager-rpc.js";

export const userSchema = z.object({ username: nameSchema, role: roleSchema }).strict();
export type User = z.infer<typeof userSchema>;
export const usersListParamsSchema = z.object({}).strict().default({});
export const usersListResultSchema = z.object({ items: z.array(userSchema) }).strict();
/** Creates a user or changes its role; a new user needs a password (>= 8 characters). */
export const usersUpsertParamsSchema = z
  .object({ username: nameSchema, role: roleSchema, password: z.string().min(8).max(256).optional() })
  .strict();
export const usersUpsertResultSchema = userSchema;
export const usersRemoveParamsSchema = z.object({ username: nameSchema }).strict();

export const serverInfoParamsSchema = z.object({}).strict().default({});
export const serverInfoResultSchema = z
  .object({
    version: z.string(),
    /** Who is asking: lets a client show only what the caller's role allows. */
    caller: z.object({ username: z.string(), role: roleSchema }).strict(),
    topicRoot: z.string(),
    startedAt: z.number().int(),
    uptimeS: z.number().nonnegative(),
    broker: z.enum(["embedded", "external"]),
    ports: z.record(z.string(), z.number().int().nullable()),
    counts: z
      .object({
        boards: z.number().int().nonnegative(),
        alive: z.number().int().nonnegative(),
        nodes: z.number().int().nonnegative(),
        types: z.number().int().nonnegative(),
        sectors: z.number().int().nonnegative(),
        byState: z.record(z.string(), z.number().int().nonnegative()),
        mqttClients: z.number().int().nonnegative().nullable(),
        runsInFlight: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();
export type ServerInfo = z.infer<typeof serverInfoResultSchema>;
