import type pino from "pino";
import type { LocalClient, LocalHandlers } from "./local-client.js";
import type { UserStore } from "./user-store.js";

/**
 * docs/deployment.md §"Docker Swarm": a broker replica takes the user store the manager publishes
 * (retained, `topics.userStore()`), so a user created, changed or removed on the manager counts
 * on every replica at once: the message travels through the cluster's Redis emitter, and the
 * retained copy in Redis brings a replica that starts later up to date. Logins it ends
 * (removed, new password, new role) are closed on this replica.
 */
export function followSharedUsers(deps: {
  topic: string;
  users: UserStore;
  localClient: (handlers: LocalHandlers) => LocalClient;
  disconnectUser: (username: string) => number;
  log: pino.Logger;
}): { start(): Promise<void>; stop(): Promise<void> } {
  const log = deps.log.child({ module: "user-sync" });
  let queue: Promise<unknown> = Promise.resolve();
  const client = deps.localClient({
    message(_topic, payload) {
      if (payload.byteLength === 0) return;
      const text = payload.toString("utf8");
      // In order: the last snapshot published wins.
      queue = queue
        .then(() => deps.users.replaceAll(text))
        .then(
          (ended) => {
            let closed = 0;
            for (const u of ended) closed += deps.disconnectUser(u);
            log.info({ ended, closed }, "user store taken from the manager");
          },
          (err: unknown) => log.error({ err }, "user store from the manager refused"),
        );
    },
    error: (err) => log.error({ err }, "user store message failed"),
  });
  return {
    start: () => client.subscribe([deps.topic]),
    stop: () => client.close(),
  };
}
