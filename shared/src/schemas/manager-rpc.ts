import { z } from "zod";
import { errorInfoSchema } from "./result.js";

export const transactionSchema = z.string().min(1).max(64);
/** The last level of a reply topic: one MQTT level, no wildcard. */
export const replyIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);
/** Parameters of `auth.login`, the one manager request that needs no identity. */
export const authLoginParamsSchema = z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) }).strict();
export const roleSchema = z.enum(["viewer", "operator", "admin"]);
export type Role = z.infer<typeof roleSchema>;
/** Roles in increasing power; a method needs at least its role. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 1, operator: 2, admin: 3 };

/** Whether `have` may do what needs at least `need` (every door and the dashboard ask this). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLE_RANK[have] >= ROLE_RANK[need];
}

/**
 * Identity of the publisher of a manager request, written into the payload by our broker (any
 * `auth` a client sends is overwritten): MQTT 3.1.1 carries no publisher identity. `sig` is an
 * HMAC keyed from the fleet secret over the other fields and the transaction, so a request
 * through another broker cannot claim an identity (docs/protocol.md §"Manager requests").
 */
export const requestAuthSchema = z
  .object({
    username: z.string().max(128),
    role: roleSchema,
    clientId: z.string().max(128),
    sig: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type RequestAuth = z.infer<typeof requestAuthSchema>;

/** Payload of `<root>/manager/request/<method>`. */
export const managerRequestSchema = z
  .object({
    transaction: transactionSchema,
    params: z.unknown().optional(),
    auth: requestAuthSchema.optional(),
    /**
     * Where the answer goes: `<root>/manager/response/<username>/<replyTo>`, which only that
     * user's connections may read. Without it the answer goes to `<root>/manager/response/<clientId>`
     * of the broker's stamp (our broker only).
     */
    replyTo: replyIdSchema.optional(),
    /** An API token (`auth.login`, `POST /api/auth/token`): the caller's identity through any broker. */
    token: z.string().min(1).max(1024).optional(),
    /** Set by the broker when the payload was not valid UTF-8: the manager refuses the request. */
    invalidUtf8: z.literal(true).optional(),
  })
  .strict();
export type ManagerRequest = z.infer<typeof managerRequestSchema>;

/** Payload of `<root>/manager/response/<clientId>` and `<root>/manager/response/<username>/<replyTo>`. */
export const managerResponseSchema = z.discriminatedUnion("status", [
  z.object({ transaction: transactionSchema, status: z.literal("ok"), data: z.unknown() }).strict(),
  z.object({ transaction: transactionSchema, status: z.literal("error"), error: errorInfoSchema }).strict(),
]);
export type ManagerResponse = z.infer<typeof managerResponseSchema>;
