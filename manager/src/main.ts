import { loadConfig } from "./config/load-config.js";
import { ManagerErrorCodes } from "./errors.js";
import { createLogger, logDestination } from "./log.js";
import { createShutdown } from "./ops/graceful-shutdown.js";
import { bootServer } from "./server-boot.js";
import { CodedError } from "@bbb/shared";
import { programArgs } from "@bbb/shared/node";
import { MANAGER_VERSION } from "./version.js";

const HELP = `Usage: bbb-server   (npm start, make start)

The all-in-one fleet server: MQTT broker (TCP, WebSocket, TLS), manager, command socket,
SFTP project store, REST API and dashboard. Configured by the environment or a JSON file:
  BBB_CONFIG        a config file, JSON or YAML (default ./bbb.config.json when present)
  BBB_DATA_DIR      data directory (default ./data): SQLite, users, fleet secret
  BBB_BIND          listen address (default 0.0.0.0)
  BBB_MQTT_PORT, BBB_HTTP_PORT, BBB_CMD_PORT, BBB_SFTP_PORT, BBB_MQTTS_PORT
  BBB_TLS_CERT, BBB_TLS_KEY   TLS for MQTTS and the command socket
  BBB_ADMIN_PASSWORD, BBB_FLEET_SECRET, BBB_LOG_LEVEL, BBB_LOG_FORMAT (auto|json|pretty)
The full list, with defaults: docs/deployment.md.

Options:
  -V, --version   print the version and exit
  -h, --help      this text
Exit codes: 0 stopped cleanly, 1 failed, 2 bad usage or a missing / invalid configuration.
`;

/**
 * `npm start`: the all-in-one server. The only place that reads env.
 * SIGINT / SIGTERM stop it cleanly; the next start keeps all data in BBB_DATA_DIR.
 */
async function main(): Promise<void> {
  const args = programArgs(process.argv.slice(2), { name: "bbb-server", version: MANAGER_VERSION, help: HELP }, process);
  if (args.kind === "exit") process.exit(args.code);
  const config = loadConfig({ env: process.env, cwd: process.cwd() });
  const log = createLogger(config.logLevel, logDestination(config.logFormat));
  if (config.role === "broker") {
    // docker/entrypoint.mjs starts broker/dist/main.js for this role; this program is the manager.
    throw new CodedError(ManagerErrorCodes.CONFIG, "BBB_ROLE=broker runs broker/dist/main.js, not the manager");
  }
  // The broker's thread starts first and listens while the manager's modules load (the static
  // imports above are only what that needs): after a restart, thousands of boards are waiting.
  const boot = await bootServer(config, log);
  const [{ createServer }, { createDefaultExtensions }] = await Promise.all([
    import("./create-server.js"),
    import("./default-extensions.js"),
  ]);
  const server = createServer({ config, log, extensions: createDefaultExtensions(config), boot });
  // server.stop(): extensions (socket, SFTP, webhooks) first, then the manager (manager/status
  // `offline`, MQTT client, the history queue flushed and SQLite closed), HTTP, the broker, the data-dir lock.
  const stop = createShutdown({
    stop: () => server.stop(),
    log,
    timeoutMs: config.shutdownTimeoutMs,
    exit: (code) => process.exit(code),
  });
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  const s = await server.start();
  log.info({ ports: s.ports, urls: s.urls, dataDir: config.dataDir }, "bbb server ready");
  // stdout carries only JSON log lines (log collectors parse it); the human summary goes to stderr.
  process.stderr.write(
    [
      "",
      `  dashboard       ${s.urls.http}/`,
      `  REST API        ${s.urls.http}/api`,
      `  MQTT            ${s.urls.mqtt}`,
      `  MQTT/WebSocket  ${s.urls.ws}`,
      ...(s.ports.mqtts ? [`  MQTTS           port ${s.ports.mqtts}`] : []),
      ...(s.ports.cmd ? [`  command socket  port ${s.ports.cmd} (JSON-RPC, one object per line; bbbctl)`] : []),
      ...(s.ports.sftp ? [`  SFTP projects   port ${s.ports.sftp} (read-only)`] : []),
      `  data            ${config.dataDir}`,
      "",
    ].join("\n"),
  );
  if (s.generatedAdminPassword) {
    // Printed once, on the first start only; it is stored hashed.
    process.stderr.write(`\n  admin password (shown once, keep it): ${s.generatedAdminPassword}\n\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bbb server failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  // A missing or invalid configuration is a usage error (2), as for every program here.
  process.exit(err instanceof CodedError && err.code === ManagerErrorCodes.CONFIG ? 2 : 1);
});
