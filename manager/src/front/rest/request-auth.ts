import type { IncomingMessage, ServerResponse } from "node:http";
import { ManagerErrors } from "../../errors.js";
import { sendError } from "./http-io.js";
import type { Authenticate, Principal } from "../auth-types.js";
import type { TokenService } from "../tokens.js";

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; reason: "missing" | "invalid" };

/**
 * Basic (RFC 7617) or Bearer (RFC 6750, our API tokens) credentials of a request. No cache of
 * its own: the user store remembers a checked password only while its stored hash is unchanged,
 * so a changed password fails on the very next request. `passwordOnly` refuses tokens (minting
 * a token takes the password: a token must not renew itself).
 */
export function createRequestAuthenticator(deps: { authenticate: Authenticate; tokens?: TokenService | undefined }) {
  return async function authenticateRequest(
    req: IncomingMessage,
    opts: { passwordOnly?: boolean } = {},
  ): Promise<AuthOutcome> {
    const header = req.headers.authorization;
    if (!header) return { ok: false, reason: "missing" };
    const space = header.indexOf(" ");
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === "bearer") {
      if (opts.passwordOnly) return { ok: false, reason: "invalid" };
      const p = deps.tokens?.verify(value) ?? null;
      return p ? { ok: true, principal: p } : { ok: false, reason: "invalid" };
    }
    if (scheme !== "basic") return { ok: false, reason: "invalid" };
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) return { ok: false, reason: "invalid" };
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const role = await deps.authenticate(username, password);
    if (!role) return { ok: false, reason: "invalid" };
    return { ok: true, principal: { username, role } };
  };
}

/** The username a request's Basic credentials claim (null for Bearer or none): the throttle's key. */
export function claimedUsername(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? "";
  if (!/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? decoded.slice(0, colon) : null;
}

/**
 * Refuses a login attempt at once while its address or username is in its back-off window
 * (docs/protocol.md §"Login throttle"); true when refused.
 */
export function refuseThrottled(res: ServerResponse, waitMs: number): boolean {
  if (waitMs <= 0) return false;
  sendError(res, ManagerErrors.UNAUTHENTICATED, "too many failed logins; retry later", {
    "www-authenticate": 'Bearer realm="bbb"',
    "retry-after": String(Math.ceil(waitMs / 1000)),
  });
  return true;
}
