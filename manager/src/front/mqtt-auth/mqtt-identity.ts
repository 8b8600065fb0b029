import { deriveBoardToken, deriveManagerPassword, type Acl, type Identity, type UserStore } from "@bbb/broker";
import { boardIdSchema, MANAGER_USERNAME } from "@bbb/shared";
import { timingSafeEqual } from "node:crypto";

const MAX_CREDENTIAL_BYTES = 1024;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Who an MQTT client of an external broker is (docs/protocol.md §"Authentication and ACL", docs/deployment.md §"Docker Swarm"): the
 * same order of checks as the embedded broker's authenticator: a user of the store, else the
 * manager with its derived password, else a board id with its token and client id = board id.
 * Identities are built with the broker's own ACL (`createAcl`), so one policy serves both.
 */
export function createMqttIdentityResolver(deps: { users: UserStore; fleetSecret: string; acl: Acl }) {
  const managerPassword = deriveManagerPassword(deps.fleetSecret);
  const roleOf = (username: string) => deps.users.list().find((u) => u.username === username)?.role ?? null;

  return {
    async login(username: string, password: string, clientId: string): Promise<Identity | null> {
      if (!username || !password || Buffer.byteLength(password) > MAX_CREDENTIAL_BYTES) return null;
      if (deps.users.has(username)) {
        const role = await deps.users.verify(username, password);
        return role ? deps.acl.identity(role, username, clientId) : null;
      }
      if (username === MANAGER_USERNAME) {
        return safeEqual(password, managerPassword) ? deps.acl.identity("manager", username, clientId) : null;
      }
      if (boardIdSchema.safeParse(username).success && clientId === username) {
        return safeEqual(password, deriveBoardToken(deps.fleetSecret, username))
          ? deps.acl.identity("agent", username, clientId)
          : null;
      }
      return null;
    },
    /** The identity of an already authenticated client, for per-message authorisation calls. */
    identityOf(username: string, clientId: string): Identity | null {
      const role = roleOf(username);
      if (role) return deps.acl.identity(role, username, clientId);
      if (username === MANAGER_USERNAME) return deps.acl.identity("manager", username, clientId);
      if (boardIdSchema.safeParse(username).success && clientId === username)
        return deps.acl.identity("agent", username, clientId);
      return null;
    },
  };
}
export type MqttIdentityResolver = ReturnType<typeof createMqttIdentityResolver>;
