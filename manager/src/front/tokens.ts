import { createHmac, timingSafeEqual } from "node:crypto";
import { roleSchema, type Role } from "@bbb/shared";
import { z } from "zod";

/**
 * API tokens for Bearer auth (REST) and `auth {token}` (socket): a signed, expiring claim of
 * username and role, so scripts need not keep a password. Stateless: a token stays valid until
 * it expires, which is why the lifetime is short by default.
 */
export interface TokenService {
  issue(username: string, role: Role): { token: string; expiresAt: number };
  verify(token: string): { username: string; role: Role } | null;
}

/** The API-token key of a fleet: derived from the fleet secret, so tokens survive restarts. */
export function apiTokenKey(fleetSecret: string): Buffer {
  return createHmac("sha256", fleetSecret).update("bbb-api-tokens").digest();
}

const claimSchema = z.object({ u: z.string().min(1).max(128), r: roleSchema, e: z.number().int() }).strict();

export function createTokenService(opts: {
  secret: string | Buffer;
  ttlMs?: number;
  now?: () => number;
}): TokenService {
  const ttl = opts.ttlMs ?? 12 * 3600_000;
  const now = opts.now ?? Date.now;
  const sign = (body: string) => createHmac("sha256", opts.secret).update(`bbb-api-token.${body}`).digest("base64url");
  return {
    issue(username, role) {
      const expiresAt = now() + ttl;
      const body = Buffer.from(JSON.stringify({ u: username, r: role, e: expiresAt })).toString("base64url");
      return { token: `${body}.${sign(body)}`, expiresAt };
    },
    verify(token) {
      if (token.length > 1024) return null;
      const [body, sig, extra] = token.split(".");
      if (!body || !sig || extra !== undefined) return null;
      const want = Buffer.from(sign(body));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
      let claim: unknown;
      try {
        claim = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      } catch {
        return null;
      }
      const c = claimSchema.safeParse(claim);
      if (!c.success || c.data.e <= now()) return null;
      return { username: c.data.u, role: c.data.r };
    },
  };
}
