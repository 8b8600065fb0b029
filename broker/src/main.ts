import { readFileSync, unwatchFile, watchFile } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { DEFAULT_PORTS, DEFAULT_TOPIC_ROOT } from "@bbb/shared";
import { prettyDestination, resolveLogFormat } from "@bbb/shared/node";
import { createBroker } from "./create-broker.js";
import { loadOrCreateFleetSecret } from "./fleet-secret.js";
import { USERS_FILE, createUserStore } from "./user-store.js";

/**
 * The broker-only role (docs/deployment.md §"Docker Swarm": several broker replicas sharing Redis).
 * The only place of this workspace that reads the environment.
 */
const env = process.env;
const logFormat = (() => {
  try {
    return resolveLogFormat(env.BBB_LOG_FORMAT, process.stdout.isTTY === true);
  } catch (e: unknown) {
    process.stderr.write(`bbb-broker: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
})();
const log = pino(
  { name: "bbb-broker", level: env.BBB_LOG_LEVEL ?? "info", redact: ["password", "*.password", "fleetSecret"] },
  logFormat === "pretty" ? prettyDestination(process.stdout, true) : undefined,
);

function flag(name: string): boolean {
  const raw = (env[name] ?? "").toLowerCase();
  if (raw === "") return false;
  if (["true", "1", "yes", "on"].includes(raw)) return true;
  if (["false", "0", "no", "off"].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got ${raw}`);
}

function port(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const dataDir = env.BBB_DATA_DIR ?? "./data";
  const bind = env.BBB_BIND ?? "0.0.0.0";
  const fleetSecret = await loadOrCreateFleetSecret(dataDir, env.BBB_FLEET_SECRET);
  const usersFile = join(dataDir, USERS_FILE);
  const users = createUserStore({ file: usersFile, log });
  await users.load();
  // The manager edits the same file (its users.* methods); pick up its changes.
  watchFile(usersFile, { interval: 2000 }, () => {
    users.load().catch((err: unknown) => log.error({ err }, "reloading the user store failed"));
  });
  const tls =
    env.BBB_TLS_KEY && env.BBB_TLS_CERT
      ? {
          key: readFileSync(env.BBB_TLS_KEY),
          cert: readFileSync(env.BBB_TLS_CERT),
          ...(env.BBB_TLS_CA ? { ca: readFileSync(env.BBB_TLS_CA) } : {}),
        }
      : undefined;
  const broker = createBroker({
    log,
    topicRoot: env.BBB_TOPIC_ROOT ?? DEFAULT_TOPIC_ROOT,
    fleetSecret,
    users,
    ...(tls ? { tls } : {}),
    ...(env.BBB_REDIS_URL ? { cluster: { redisUrl: env.BBB_REDIS_URL } } : {}),
    trustProxy: flag("BBB_TRUST_PROXY"),
  });
  const ports = await broker.start({
    mqttPort: port("BBB_MQTT_PORT", DEFAULT_PORTS.mqtt),
    bind,
    mqttsPort: port("BBB_MQTTS_PORT", DEFAULT_PORTS.mqtts),
  });

  let httpServer: http.Server | null = null;
  let httpPort: number | null = null;
  if (env.BBB_HTTP_PORT !== undefined && env.BBB_HTTP_PORT !== "") {
    const server = http.createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    broker.attachWebSocket(server);
    httpPort = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port("BBB_HTTP_PORT", DEFAULT_PORTS.http), bind, () =>
        resolve((server.address() as AddressInfo).port),
      );
    });
    httpServer = server;
  }
  log.info({ mqttPort: ports.mqttPort, mqttsPort: ports.mqttsPort, httpPort, bind }, "broker ready");

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    unwatchFile(usersFile);
    httpServer?.closeAllConnections();
    httpServer?.close();
    broker.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  log.fatal({ err }, "broker failed to start");
  process.exit(1);
});
