import type { Identity } from "./acl.js";

/** Takeovers of one board id within TAKEOVER_WINDOW_MS that make it a cloned-token problem. */
export const TAKEOVER_LIMIT = 3;
export const TAKEOVER_WINDOW_MS = 60_000;

export type ClientIdVerdict = "ok" | "fresh-session" | "refuse";

export interface ClientIdPolicyDeps {
  clock: () => number;
  /**
   * Board ids the deployment knows (the manager's registry); ids seen with board credentials
   * count too. May answer later (a broker on its own thread asks the manager's thread).
   */
  isKnownBoard?: (clientId: string) => boolean | Promise<boolean>;
}

/**
 * Who may use a client id, and with it the id's persistent session (docs/protocol.md
 * "Authentication and ACL"): a board's id is only ever that board's; a session belongs to the
 * username that made it. A board whose id was squatted by someone else starts a fresh session,
 * so nothing planted there (subscriptions, queued messages) reaches it.
 */
export function createClientIdPolicy(deps: ClientIdPolicyDeps) {
  const boards = new Set<string>();
  /** Username holding each live client id or persistent session on this broker. */
  const owners = new Map<string, string>();
  const takeovers = new Map<string, number[]>();

  return {
    /**
     * Asks the deployment whether a client id that is not yet known here is a board's; call
     * before check() for a login that is not a board's. A board id, once known, stays known.
     */
    async learn(clientId: string): Promise<void> {
      if (boards.has(clientId) || !deps.isKnownBoard) return;
      if (await deps.isKnownBoard(clientId)) boards.add(clientId);
    },

    check(identity: Identity, clientId: string): ClientIdVerdict {
      const owner = owners.get(clientId);
      if (identity.role === "agent") return owner !== undefined && owner !== identity.username ? "fresh-session" : "ok";
      if (boards.has(clientId)) return "refuse";
      return owner !== undefined && owner !== identity.username ? "refuse" : "ok";
    },

    accepted(identity: Identity, clientId: string): void {
      if (identity.role === "agent") boards.add(clientId);
      owners.set(clientId, identity.username);
    },

    /** A clean session ends with its connection: the id is free again unless a newer connection holds it. */
    ended(clientId: string, clean: boolean, stillHeld: boolean): void {
      if (clean && !stillHeld) owners.delete(clientId);
    },

    /** Counts a takeover of a board id; true when they ping-pong (a cloned token). */
    takeover(clientId: string): boolean {
      const now = deps.clock();
      const recent = (takeovers.get(clientId) ?? []).filter((t) => now - t < TAKEOVER_WINDOW_MS);
      recent.push(now);
      takeovers.set(clientId, recent);
      for (const [id, ts] of takeovers) if (ts.every((t) => now - t >= TAKEOVER_WINDOW_MS)) takeovers.delete(id);
      return recent.length >= TAKEOVER_LIMIT;
    },
  };
}
export type ClientIdPolicy = ReturnType<typeof createClientIdPolicy>;
