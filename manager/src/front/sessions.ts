import type { Logger } from "pino";
import type { TokenService } from "./tokens.js";

/** Whose connections to close: every one of a user's, or those a revoked token opened. */
export type SignOutTarget = { username: string } | { tokenId: string };

/** Closes the matching live connections on one door; returns how many it closed. */
export type DoorCloser = (target: SignOutTarget) => number;

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
  const closeAll = (target: SignOutTarget): number => {
    let n = 0;
    for (const close of closers) {
      try {
        n += close(target);
      } catch (err: unknown) {
        log.error({ err, target }, "closing connections failed");
      }
    }
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
      const connections = closeAll({ username });
      log.info({ username, reason, tokens, connections }, "user signed out everywhere");
      return { tokens, connections };
    },
    revokeToken(id) {
      if (!deps.tokens.revoke(id)) return false;
      const connections = closeAll({ tokenId: id });
      log.info({ tokenId: id, connections }, "token revoked");
      return true;
    },
  };
}
