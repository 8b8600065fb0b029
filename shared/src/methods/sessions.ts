import { z } from "zod";
import { nameSchema } from "../ids.js";
import { roleSchema } from "../schemas/manager-rpc.js";

/** One API token as `tokens.list` shows it: never the token itself (docs/protocol.md "Sessions"). */
export const tokenInfoSchema = z
  .object({
    id: z.string(),
    username: nameSchema,
    role: roleSchema,
    issuedAt: z.number().int(),
    expiresAt: z.number().int(),
    lastUsedAt: z.number().int().nullable(),
  })
  .strict();
export type TokenInfo = z.infer<typeof tokenInfoSchema>;

/** An admin sees every user's tokens (or one user's); anyone else only their own. */
export const tokensListParamsSchema = z.object({ username: nameSchema.optional() }).strict().default({});
export const tokensListResultSchema = z.object({ items: z.array(tokenInfoSchema) }).strict();

/** One token by id; an admin may revoke anyone's, anyone else only their own. */
export const tokensRevokeParamsSchema = z.object({ id: z.string().min(1).max(64) }).strict();
export const tokensRevokeResultSchema = z.object({ revoked: z.boolean() }).strict();

/** "Sign out everywhere": every token revoked and every live connection closed, on every door. */
export const usersSignOutParamsSchema = z.object({ username: nameSchema.optional() }).strict().default({});
export const usersSignOutResultSchema = z
  .object({ username: nameSchema, tokens: z.number().int(), connections: z.number().int() })
  .strict();

/** One row of the audit trail (docs/protocol.md "Audit trail"). */
export const auditRecordSchema = z
  .object({
    id: z.number().int(),
    ts: z.number().int(),
    username: z.string(),
    role: z.string(),
    via: z.string(),
    peer: z.string().nullable(),
    method: z.string(),
    params: z.string().nullable(),
    result: z.string(),
  })
  .strict();
export type AuditRecordView = z.infer<typeof auditRecordSchema>;
export const auditListParamsSchema = z
  .object({
    username: z.string().max(128).optional(),
    method: z.string().max(128).optional(),
    since: z.coerce.number().int().optional(),
    beforeId: z.coerce.number().int().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict()
  .default({ limit: 100 });
export type AuditListParams = NonNullable<z.input<typeof auditListParamsSchema>>;
export const auditListResultSchema = z.object({ items: z.array(auditRecordSchema) }).strict();
