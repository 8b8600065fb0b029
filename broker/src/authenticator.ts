import { MANAGER_USERNAME, boardIdSchema } from "@bbb/shared";
import type { Acl, Identity } from "./acl.js";
import { deriveBoardToken, deriveManagerPassword, safeEqual } from "./tokens.js";
import type { AuthFailureReason } from "./types.js";
import type { UserStore } from "./user-store.js";

export type AuthOutcome = { ok: true; identity: Identity } | { ok: false; reason: AuthFailureReason; returnCode: 4 | 5 };

const MAX_CREDENTIAL_BYTES = 1024;

/**
 * docs/protocol.md §"Authentication and ACL": a user of the store with its role; else the manager with its
 * derived password; else a board id with its token, whose client id must equal the board id.
 */
export function createAuthenticator(deps: { acl: Acl; users: Pick<UserStore, "has" | "verify">; fleetSecret: string }) {
  const managerPassword = deriveManagerPassword(deps.fleetSecret);

  return async function authenticate(
    username: string | undefined,
    password: Buffer | undefined,
    clientId: string,
    will: { topic: string; retain: boolean } | null,
  ): Promise<AuthOutcome> {
    if (!username || !password || password.length === 0 || password.length > MAX_CREDENTIAL_BYTES) {
      return { ok: false, reason: "missing-credentials", returnCode: 4 };
    }
    const secret = password.toString("utf8");
    let identity: Identity;
    if (deps.users.has(username)) {
      const role = await deps.users.verify(username, secret);
      if (!role) return { ok: false, reason: "bad-password", returnCode: 4 };
      identity = deps.acl.identity(role, username, clientId);
    } else if (username === MANAGER_USERNAME) {
      if (!safeEqual(secret, managerPassword)) return { ok: false, reason: "bad-password", returnCode: 4 };
      identity = deps.acl.identity("manager", username, clientId);
    } else if (boardIdSchema.safeParse(username).success) {
      if (!safeEqual(secret, deriveBoardToken(deps.fleetSecret, username))) return { ok: false, reason: "bad-password", returnCode: 4 };
      if (clientId !== username) return { ok: false, reason: "client-id-mismatch", returnCode: 5 };
      identity = deps.acl.identity("agent", username, clientId);
    } else {
      return { ok: false, reason: "unknown-user", returnCode: 4 };
    }
    if (will && !deps.acl.will(identity, will.topic, will.retain)) return { ok: false, reason: "will-not-allowed", returnCode: 5 };
    return { ok: true, identity };
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;
