import { readFileSync, unwatchFile, watchFile } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import pino from "pino";
import { CodedError, DEFAULT_PORTS, DEFAULT_TOPIC_ROOT, createTopics } from "@bbb/shared";
import { programArgs, prettyDestination, resolveLogFormat } from "@bbb/shared/node";
import { BrokerErrorCodes } from "./errors.js";
import { BROKER_VERSION } from "./version.js";
import { createBroker } from "./create-broker.js";
import { loadOrCreateFleetSecret } from "./fleet-secret.js";
import { USERS_FILE, createUserStore } from "./user-store.js";
import { followSharedUsers } from "./user-sync.js";

/**
 * The broker-only role (docs/deployment.md §"Docker Swarm": several broker replicas sharing Redis).
 * The only place of this workspace that reads the environment.
 */
const env = process.env;
const HELP = `Usage: bbb-broker   (BBB_ROLE=broker in the stack)

A broker replica of the clustered tier: MQTT over TCP, WebSocket and TLS with the fleet's
authentication and ACLs, sharing subscriptions and retained messages through Redis.
Configured by the environment (docs/deployment.md):
  BBB_DATA_DIR (./data), BBB_BIND (0.0.0.0), BBB_MQTT_PORT, BBB_HTTP_PORT, BBB_MQTTS_PORT,
  BBB_REDIS_URL, BBB_FLEET_SECRET, BBB_TLS_CERT, BBB_TLS_KEY, BBB_TLS_CA, BBB_TRUST_PROXY,
  BBB_TOPIC_ROOT, BBB_LOG_LEVEL, BBB_LOG_FORMAT (auto|json|pretty)

Options:
  -V, --version   print the version and exit
  -h, --help      this text
Exit codes: 0 stopped cleanly, 1 failed, 2 bad usage or an invalid configuration.
`;
const args = programArgs(process.argv.slice(2), { name: "bbb-broker", version: BROKER_VERSION, help: HELP }, process);
if (args.kind === "exit") process.exit(args.code);
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
  throw new CodedError(BrokerErrorCodes.CONFIG, `${name} must be true or false, got ${raw}`);
}

function port(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CodedError(BrokerErrorCodes.CONFIG, `${name} must be a port number, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const dataDir = env.BBB_DATA_DIR ?? "./data";
  const bind = env.BBB_BIND ?? "0.0.0.0";
  // Every setting is read before anything is written: a bad one changes nothing on disk.
  const mqttPort = port("BBB_MQTT_PORT", DEFAULT_PORTS.mqtt);
  const mqttsPort = port("BBB_MQTTS_PORT", DEFAULT_PORTS.mqtts);
  const httpPortWanted = port("BBB_HTTP_PORT", DEFAULT_PORTS.http);
  const trustProxy = flag("BBB_TRUST_PROXY");
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
    trustProxy,
  });
  const ports = await broker.start({
    mqttPort,
    bind,
    mqttsPort,
  });
  // A replica of the Redis-clustered tier takes the manager's user store (docs/deployment.md
  // "Docker Swarm"); a lone broker keeps its own users.json (a file it may share with the manager).
  const sync = followSharedUsers({
    topic: createTopics(env.BBB_TOPIC_ROOT ?? DEFAULT_TOPIC_ROOT).userStore(),
    users,
    localClient: (h) => broker.localClient(h),
    disconnectUser: (u) => broker.disconnectUser(u),
    log,
  });
  if (env.BBB_REDIS_URL) await sync.start();

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
      server.listen(httpPortWanted, bind, () =>
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
    void sync.stop();
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
  const usage = err instanceof CodedError && (err.code === BrokerErrorCodes.CONFIG || err.code === BrokerErrorCodes.INVALID_FLEET_SECRET);
  if (usage) process.stderr.write(`bbb-broker: ${err.message}\n`);
  process.exit(usage ? 2 : 1);
});
