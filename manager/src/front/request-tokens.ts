import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { roleSchema, type Role } from "@bbb/shared";
import { z } from "zod";

/** A request token lasts this long; the dashboard renews it half an hour before (docs/protocol.md §"Manager requests"). */
export const REQUEST_TOKEN_TTL_MS = 3600_000;
const PREFIX = "rt1";
const claimsSchema = z.object({ u: z.string().min(1).max(128), r: roleSchema, e: z.number().int() }).strict();

/** The request-token key of a fleet: derived from the fleet secret, so tokens survive restarts. */
export function requestTokenKey(fleetSecret: string): Buffer {
  return createHmac("sha256", fleetSecret).update("bbb-request-tokens").digest();
}

/** What a request token needs of the user store: the user's role and its stored password hash. */
export interface RequestTokenUsers {
  credentials(username: string): { role: Role; hash: string } | null;
}

/**
 * Short-lived signed tokens for manager requests through any broker (`auth.login`): stateless,
 * `rt1.<claims b64url>.<mac>`, the MAC keyed from the fleet secret over the claims and the
 * user's current password hash. So a changed password, another role or a removed user ends
 * them at once without a list to keep; "sign out everywhere" ends those issued before it
 * (remembered in memory: after a restart they live out their hour at most).
 */
export function createRequestTokens(deps: { key: Buffer; users: RequestTokenUsers; now?: () => number; ttlMs?: number }) {
  const now = deps.now ?? Date.now;
  const ttl = deps.ttlMs ?? REQUEST_TOKEN_TTL_MS;
  const signedOutAt = new Map<string, number>();
  const hashTag = (hash: string) => createHash("sha256").update(hash).digest("base64url");
  const mac = (claims: string, hash: string) => createHmac("sha256", deps.key).update(`${claims}.${hashTag(hash)}`).digest("base64url");

  return {
    issue(username: string): { token: string; expiresAt: number } | null {
      const c = deps.users.credentials(username);
      if (!c) return null;
      const expiresAt = now() + ttl;
      // Issued-at is expiresAt - ttl; a sign-out at the same millisecond must still end it.
      const claims = Buffer.from(JSON.stringify({ u: username, r: c.role, e: expiresAt })).toString("base64url");
      return { token: `${PREFIX}.${claims}.${mac(claims, c.hash)}`, expiresAt };
    },
    verify(token: string): { username: string; role: Role } | null {
      if (token.length > 1024) return null;
      const [prefix, claims, sig, extra] = token.split(".");
      if (prefix !== PREFIX || !claims || !sig || extra !== undefined) return null;
      let parsed: z.infer<typeof claimsSchema>;
      try {
        parsed = claimsSchema.parse(JSON.parse(Buffer.from(claims, "base64url").toString("utf8")));
      } catch {
        return null;
      }
      const c = deps.users.credentials(parsed.u);
      if (!c || c.role !== parsed.r || parsed.e <= now()) return null;
      const want = Buffer.from(mac(claims, c.hash));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
      const out = signedOutAt.get(parsed.u);
      if (out !== undefined && parsed.e - ttl <= out) return null;
      return { username: parsed.u, role: parsed.r };
    },
    /** Ends every request token of a user issued until now. */
    signOut(username: string): void {
      signedOutAt.set(username, now());
    },
  };
}
export type RequestTokens = ReturnType<typeof createRequestTokens>;
