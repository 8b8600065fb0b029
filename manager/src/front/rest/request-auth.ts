import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Authenticate, Principal } from "../auth-types.js";
import type { TokenService } from "../tokens.js";

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; reason: "missing" | "invalid" };

/**
 * Basic (RFC 7617) or Bearer (RFC 6750, our signed API tokens) credentials of a request.
 * Successful password checks are remembered for a few seconds under a hash of the credentials,
 * so a script polling the API does not pay the password hash on every call.
 */
export function createRequestAuthenticator(deps: {
  authenticate: Authenticate;
  tokens?: TokenService | undefined;
  cacheMs?: number;
  now?: () => number;
}) {
  const cacheMs = deps.cacheMs ?? 10_000;
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { principal: Principal; until: number }>();

  return async function authenticateRequest(req: IncomingMessage): Promise<AuthOutcome> {
    const header = req.headers.authorization;
    if (!header) return { ok: false, reason: "missing" };
    const space = header.indexOf(" ");
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === "bearer") {
      const p = deps.tokens?.verify(value) ?? null;
      return p ? { ok: true, principal: p } : { ok: false, reason: "invalid" };
    }
    if (scheme !== "basic") return { ok: false, reason: "invalid" };
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) return { ok: false, reason: "invalid" };
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const key = createHash("sha256").update(decoded).digest("hex");
    const hit = cache.get(key);
    const t = now();
    if (hit && hit.until > t) return { ok: true, principal: hit.principal };
    const role = await deps.authenticate(username, password);
    if (!role) return { ok: false, reason: "invalid" };
    const principal = { username, role };
    if (cache.size > 1000) cache.clear();
    cache.set(key, { principal, until: t + cacheMs });
    return { ok: true, principal };
  };
}
