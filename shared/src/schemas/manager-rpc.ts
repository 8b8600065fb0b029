import { z } from "zod";
import { errorInfoSchema } from "./result.js";

export const transactionSchema = z.string().min(1).max(64);
export const roleSchema = z.enum(["viewer", "operator", "admin"]);
export type Role = z.infer<typeof roleSchema>;
/** Roles in increasing power; a method needs at least its role. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

/** Whether `have` may do what needs at least `need` (every door and the dashboard ask this). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLE_RANK[have] >= ROLE_RANK[need];
}

/**
 * Identity of the publisher of a manager request, written into the payload by the broker
 * (any `auth` a client sends is overwritten): MQTT 3.1.1 carries no publisher identity.
 */
export const requestAuthSchema = z
  .object({ username: z.string().max(128), role: roleSchema, clientId: z.string().max(128) })
  .strict();
export type RequestAuth = z.infer<typeof requestAuthSchema>;

/** Payload of `<root>/manager/request/<method>`. */
export const managerRequestSchema = z
  .object({
    transaction: transactionSchema,
    params: z.unknown().optional(),
    auth: requestAuthSchema.optional(),
    /** Set by the broker when the payload was not valid UTF-8: the manager refuses the request. */
    invalidUtf8: z.literal(true).optional(),
  })
  .strict();
export type ManagerRequest = z.infer<typeof managerRequestSchema>;

/** Payload of `<root>/manager/response/<clientId>`. */
export const managerResponseSchema = z.discriminatedUnion("status", [
  z.object({ transaction: transactionSchema, status: z.literal("ok"), data: z.unknown() }).strict(),
  z.object({ transaction: transactionSchema, status: z.literal("error"), error: errorInfoSchema }).strict(),
]);
export type ManagerResponse = z.infer<typeof managerResponseSchema>;
