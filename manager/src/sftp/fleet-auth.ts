import { createHash, timingSafeEqual } from "node:crypto";
import { deriveBoardToken, type UserStore } from "@bbb/broker";
import { boardIdSchema } from "@bbb/shared";
import type { PasswordAuth } from "./auth.js";

/** Compares two secrets in constant time (equal-length digests, so the length does not leak). */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(h(a), h(b));
}

/**
 * SFTP logins of the fleet (docs/protocol.md §"Authentication and ACL"): a user of the broker's store with its
 * password (any role reads), else a board id with its token (HMAC of the fleet secret). The same
 * rules as the broker's, so one credential opens both the MQTT session and the project store.
 */
export function createFleetSftpAuth(deps: {
  fleetSecret: string;
  users: Pick<UserStore, "has" | "verify">;
}): PasswordAuth {
  return async (username, password) => {
    if (password.length === 0) return null;
    if (deps.users.has(username)) {
      const role = await deps.users.verify(username, password);
      return role ? { kind: "user", role } : null;
    }
    if (!boardIdSchema.safeParse(username).success) return null;
    return sameSecret(password, deriveBoardToken(deps.fleetSecret, username))
      ? { kind: "agent", boardId: username }
      : null;
  };
}
