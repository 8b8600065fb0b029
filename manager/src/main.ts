import { loadConfig } from "./config/load-config.js";
import { createServer } from "./create-server.js";
import { ManagerErrorCodes } from "./errors.js";
import { createLogger, logDestination } from "./log.js";
import { createShutdown } from "./ops/graceful-shutdown.js";
import { createDefaultExtensions } from "./default-extensions.js";
import { CodedError } from "@bbb/shared";

/**
 * `npm start`: the all-in-one server. The only place that reads env.
 * SIGINT / SIGTERM stop it cleanly; the next start keeps all data in BBB_DATA_DIR.
 */
async function main(): Promise<void> {
  const config = loadConfig({ env: process.env, cwd: process.cwd() });
  const log = createLogger(config.logLevel, logDestination(config.logFormat));
  if (config.role === "broker") {
    // docker/entrypoint.mjs starts broker/dist/main.js for this role; this program is the manager.
    throw new CodedError(ManagerErrorCodes.CONFIG, "BBB_ROLE=broker runs broker/dist/main.js, not the manager");
  }
  const server = createServer({ config, log, extensions: createDefaultExtensions(config) });
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
  process.exit(1);
});
