/**
 * What the thread that owns the embedded broker needs to start it, without the broker's own
 * modules: Aedes and its dependencies load on the broker's thread (thread/broker-worker.ts).
 * The server imports this first (manager/src/server-boot.ts), so after a restart the broker's
 * thread starts and listens while the rest of the server is still loading.
 */
export { createThreadedBroker } from "./thread/threaded-broker.js";
export type { ThreadedBrokerDeps } from "./thread/threaded-broker.js";
export type { Broker } from "./types.js";
export { createUserStore } from "./user-store.js";
export type { UserStore } from "./user-store.js";
export { loadOrCreateFleetSecret } from "./fleet-secret.js";
