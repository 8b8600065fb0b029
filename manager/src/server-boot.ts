import { chmodSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createThreadedBroker,
  createUserStore,
  loadOrCreateFleetSecret,
  type Broker,
  type UserStore,
} from "@bbb/broker/owner";
import type { Logger } from "pino";
import type { Config } from "./config/schema.js";
import { REDACT_PATHS } from "./log.js";
import { acquireDataLock } from "./ops/data-lock.js";

export interface ServerBoot {
  lock: ReturnType<typeof acquireDataLock>;
  fleetSecret: string;
  users: UserStore;
  /** The admin's check (a scrypt hash when BBB_ADMIN_PASSWORD is set); a failure fails the start. */
  adminReady: Promise<{ generatedPassword: string | null }>;
  /** PEM files read once: MQTTS of the embedded broker, HTTPS/WSS on the HTTP port. */
  tls: { cert: Buffer; key: Buffer; ca?: Buffer } | null;
  /** The embedded broker, or null when BBB_MQTT_URL names an external one. */
  broker: Broker | null;
  /** Resolves once the embedded broker listens (null without one). */
  brokerListening: Promise<{ mqttPort: number; mqttsPort: number | null }> | null;
  /** Which client ids belong to boards the registry knows (none until the manager exists). */
  setKnownBoard(check: (id: string) => boolean): void;
}

/**
 * The part of the server's start that boards need (docs/architecture.md §"The broker's thread"):
 * the data dir and its lock, the fleet secret, the user store and the embedded broker's thread,
 * which starts here and is not awaited. `npm start` (main.ts) runs this before it loads the
 * manager's modules, so after a restart with thousands of boards the broker listens while the
 * rest of the server is still loading (BENCHMARKS.md §4b); createServer() runs it when it was
 * not run before. Only this module's imports load first: keep them few.
 */
export async function bootServer(config: Config, log: Logger): Promise<ServerBoot> {
  // Owner only: users' hashes, the fleet secret, the host key and backups live here.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  // One server per data dir; `bbbctl restore` refuses while the lock is held.
  const lock = acquireDataLock(config.dataDir, { role: config.role });
  try {
    const fleetSecret = await loadOrCreateFleetSecret(config.dataDir, config.fleetSecret);
    const users = createUserStore({ file: join(config.dataDir, "users.json"), log });
    await users.load();
    // Runs while the broker's thread starts: reconnecting boards need the broker, not the admin.
    const adminReady = users.ensureAdmin(config.adminPassword);
    adminReady.catch(() => undefined);
    const tls = config.tls
      ? {
          cert: readFileSync(config.tls.cert),
          key: readFileSync(config.tls.key),
          ...(config.tls.ca ? { ca: readFileSync(config.tls.ca) } : {}),
        }
      : null;
    let knownBoard: (id: string) => boolean = () => false;
    let broker: Broker | null = null;
    let brokerListening: ServerBoot["brokerListening"] = null;
    if (config.mqttUrl === undefined) {
      const b = createThreadedBroker({
        log,
        logRedact: REDACT_PATHS,
        topicRoot: config.topicRoot,
        fleetSecret,
        users,
        // Boards the registry knows (seen, or bound to a node): no user may take their client id.
        isKnownBoard: (id) => knownBoard(id),
        ...(tls ? { tls } : {}),
        ...(config.redisUrl ? { cluster: { redisUrl: config.redisUrl } } : {}),
        trustProxy: config.trustProxy,
      });
      broker = b;
      brokerListening = b.start({ mqttPort: config.mqttPort, bind: config.bind, mqttsPort: config.mqttsPort });
      // Awaited by createServer(); a failure meanwhile is not an unhandled rejection.
      brokerListening.catch(() => undefined);
    }
    return {
      lock,
      fleetSecret,
      users,
      adminReady,
      tls,
      broker,
      brokerListening,
      setKnownBoard: (check) => {
        knownBoard = check;
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}
