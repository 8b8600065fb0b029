import { MANAGER_USERNAME, boardIdSchema } from "@bbb/shared";
import { createAcl, type BrokerRole, type Identity } from "./acl.js";
import { createAuthenticator } from "./authenticator.js";
import { exposesManagerTraffic } from "./filter-exposure.js";
import type { UserStore } from "./user-store.js";

/**
 * The broker's policy for callers outside Aedes: docs/deployment.md §"Docker Swarm" has the manager
 * answer the HTTP authentication/authorisation calls of an external MQTT cluster (EMQX,
 * VerneMQ) with the same rules, so one policy serves every broker.
 */
export function createPolicy(deps: { topicRoot: string; fleetSecret: string; users: UserStore }) {
  const acl = createAcl(deps.topicRoot);
  const authenticate = createAuthenticator({ acl, users: deps.users, fleetSecret: deps.fleetSecret });

  /** Role of an already authenticated username (the external broker checked the password through `authenticate`). */
  function identityOf(username: string, clientId: string): Identity | null {
    let role: BrokerRole | null = null;
    const user = deps.users.list().find((u) => u.username === username);
    if (user) role = user.role;
    else if (username === MANAGER_USERNAME) role = "manager";
    else if (boardIdSchema.safeParse(username).success && clientId === username) role = "agent";
    return role ? acl.identity(role, username, clientId) : null;
  }

  return {
    /** Password check as at CONNECT; the will is checked when given. */
    async authenticate(username: string, password: string, clientId: string): Promise<{ ok: true; role: BrokerRole } | { ok: false; reason: string }> {
      const r = await authenticate(username, Buffer.from(password, "utf8"), clientId, null);
      return r.ok ? { ok: true, role: r.identity.role } : { ok: false, reason: r.reason };
    },
    /** Requests are allowed but cannot be stamped by an external broker: they carry a token (docs/protocol.md §"Manager requests"). */
    canPublish(username: string, clientId: string, topic: string, retain: boolean): boolean {
      const id = identityOf(username, clientId);
      return id !== null && acl.publish(id, topic, retain).ok;
    },
    canSubscribe(username: string, clientId: string, filter: string): boolean {
      const id = identityOf(username, clientId);
      if (id === null || !acl.subscribe(id, filter)) return false;
      return id.role === "manager" || id.role === "agent" || !exposesManagerTraffic(deps.topicRoot, filter, id.username);
    },
    canReceive(username: string, clientId: string, topic: string): boolean {
      const id = identityOf(username, clientId);
      return id !== null && acl.forward(id, topic);
    },
  };
}
export type Policy = ReturnType<typeof createPolicy>;
