import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type pino from "pino";
import type { BrokerRole } from "./acl.js";

const KEY_PREFIX = "bbb:presence:";
// Deletes the key only if it still holds this connection's claim.
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/**
 * Which broker of the cluster holds each board's connection, so a duplicate client id is
 * refused on every replica, not only on the one holding the board: otherwise Aedes on the
 * board's broker closes the board as soon as another replica registers the same id
 * ($SYS/<id>/new/clients). Only agents are recorded (a bounded set: the fleet); every claim
 * is checked. A claim by a broker that stopped beating is void.
 */
export function createClusterPresence(deps: {
  db: Redis;
  brokerId: () => string;
  isBrokerAlive: (brokerId: string) => boolean;
  log: pino.Logger;
}) {
  return {
    /** This broker's id in the cluster. */
    brokerId: () => deps.brokerId(),
    /**
     * Whether a live broker of the cluster (this one included, unless `elsewhere`) holds the
     * board's connection now: then a will left for an older connection is stale.
     */
    async heldLive(clientId: string, opts: { elsewhere?: boolean } = {}): Promise<boolean> {
      const held = await deps.db.get(KEY_PREFIX + clientId);
      const broker = held?.split("|")[0];
      if (broker === undefined || broker === "") return false;
      if (broker === deps.brokerId()) return !opts.elsewhere;
      return deps.isBrokerAlive(broker);
    },
    /** Returns a release function, or null when a live connection on another broker holds the id. */
    async claim(clientId: string, role: BrokerRole): Promise<(() => void) | null> {
      const key = KEY_PREFIX + clientId;
      const held = await deps.db.get(key);
      if (held) {
        const [broker] = held.split("|");
        const mine = broker === deps.brokerId();
        // A board reclaims its id from a user, as on one broker; and a board takes its own id
        // over from another replica (MQTT-3.1.4-2, as on one broker): the replica it left may be
        // dead without having missed enough beats to be known dead, and the board must not wait
        // for that. Aedes on the other replica closes the old connection ($SYS/…/new/clients).
        const reclaim = role === "agent";
        if (!mine && broker !== undefined && deps.isBrokerAlive(broker) && !reclaim) return null;
      }
      if (role !== "agent") return () => undefined;
      const value = `${deps.brokerId()}|${role}|${randomBytes(6).toString("hex")}`;
      await deps.db.set(key, value);
      return () => {
        deps.db.eval(RELEASE, 1, key, value).catch((err: unknown) => deps.log.warn({ err, clientId }, "releasing a cluster presence failed"));
      };
    },
  };
}
export type ClusterPresence = ReturnType<typeof createClusterPresence>;
