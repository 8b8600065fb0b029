import type { Logger } from "pino";
import type { TokenService } from "./tokens.js";

/** Whose connections to close: every one of a user's, or those a revoked token opened. */
export type SignOutTarget = { username: string } | { tokenId: string };

/**
 * Counts the matching live connections on one door and, when `act`, closes them; returns how
 * many match.
 */
export type DoorCloser = (target: SignOutTarget, act: boolean) => number;

/**
 * How long a signed-out connection stays open after the sign-out: the caller who signs itself
 * out (or revokes the token its own connection uses) gets its reply before its connection closes.
 * Well inside the 1 s within which revocation takes effect on every door (docs/protocol.md
 * "Sessions"); the tokens themselves stop working at once.
 */
export const REPLY_GRACE_MS = 150;

/**
 * Sessions you can take back (docs/protocol.md "Sessions"): API tokens kept server-side and the
 * live connections of every door (MQTT incl. the dashboard's WebSocket, socket, SFTP). Signing a
 * user out revokes their tokens and closes their connections at once.
 */
export interface Sessions {
  readonly tokens: TokenService;
  /** A door registers its closer; returns the function that unregisters it. */
  onSignOut(close: DoorCloser): () => void;
  signOut(username: string, reason: string): { tokens: number; connections: number };
  /** Revokes one token and closes the connections it opened; false for an unknown id. */
  revokeToken(id: string): boolean;
}

export function createSessions(deps: { tokens: TokenService; log: Logger }): Sessions {
  const log = deps.log.child({ module: "sessions" });
  const closers = new Set<DoorCloser>();
  const closeAll = (target: SignOutTarget, act: boolean): number => {
    let n = 0;
    for (const close of closers) {
      try {
        n += close(target, act);
      } catch (err: unknown) {
        log.error({ err, target }, "closing connections failed");
      }
    }
    return n;
  };
  /** Counts now, closes after the grace: the reply to the call that signed out goes out first. */
  const closeSoon = (target: SignOutTarget): number => {
    const n = closeAll(target, false);
    if (n > 0) setTimeout(() => closeAll(target, true), REPLY_GRACE_MS).unref();
    return n;
  };
  return {
    tokens: deps.tokens,
    onSignOut(close) {
      closers.add(close);
      return () => closers.delete(close);
    },
    signOut(username, reason) {
      const tokens = deps.tokens.revokeUser(username);
      const connections = closeSoon({ username });
      log.info({ username, reason, tokens, connections }, "user signed out everywhere");
      return { tokens, connections };
    },
    revokeToken(id) {
      if (!deps.tokens.revoke(id)) return false;
      const connections = closeSoon({ tokenId: id });
      log.info({ tokenId: id, connections }, "token revoked");
      return true;
    },
  };
}
