#!/usr/bin/env node
import { existsSync } from "node:fs";
import { CodedError, errorMessage } from "@bbb/shared";
import { readFile } from "node:fs/promises";
import { pino } from "pino";
import { createAgent, type Agent } from "./create-agent.js";
import { AGENT_HELP, parseAgentArgs } from "./cli/args.js";
import { describeConfig } from "./cli/check-config.js";
import { DEFAULT_CONFIG_PATH, loadConfig, resolveConfig } from "./config/load-config.js";
import type { ResolvedAgentConfig } from "./config/schema.js";
import { AgentErrorCodes } from "./errors.js";
import { createPlainConnect } from "./mqtt/plain-connect.js";
import { createProjectSync } from "./sync/index.js";
import { createExec } from "./system/exec.js";
import { createRootedFs } from "./system/rooted-fs.js";
import { createSdNotify } from "./system/sd-notify.js";
import { migrate, rollback } from "./migrate/migrate.js";
import { AGENT_VERSION } from "./version.js";

/**
 * The project sync logs in to the SFTP store with the board id and token; without a token there
 * is no login, and sync-project answers AGENT_E_SYNC_UNAVAILABLE.
 */
function projectSyncFor(config: ResolvedAgentConfig, log: pino.Logger, agent: () => Agent) {
  if (!config.token) return undefined;
  const host = config.sftpHost ?? new URL(config.mqttUrls[0] ?? "mqtt://127.0.0.1").hostname;
  return createProjectSync({
    rootPrefix: config.rootPrefix,
    targetDir: config.projectDir,
    stateDir: config.stateDir,
    sftp: {
      host,
      port: config.sftpPort,
      username: config.boardId,
      password: config.token,
      ...(config.sftpHostKeyFingerprint ? { hostKeyFingerprint: config.sftpHostKeyFingerprint } : {}),
    },
    type: () => agent().currentType(),
    rcLocal: config.manageRcLocal ? {} : false,
    log,
  });
}

const readOrNull = async (p: string) => {
  try {
    return await readFile(p, "utf8");
  } catch {
    return null;
  }
};

function fail(message: string): never {
  process.stderr.write(`bbb-agent: ${message}\n`);
  process.exit(2);
}

/**
 * The config file must exist: the agent never starts against invented defaults (a board that
 * reports to 127.0.0.1 is invisible). Exits 2 naming the file or the problem.
 */
async function loadOrExit(): Promise<{ file: string; config: ResolvedAgentConfig; ca: string | undefined }> {
  const file = process.env.BBB_AGENT_CONFIG ?? DEFAULT_CONFIG_PATH;
  try {
    if ((await readOrNull(file)) === null) {
      throw new CodedError(AgentErrorCodes.CONFIG, `config file ${file} not found (create it or set BBB_AGENT_CONFIG; bbb-agent --help)`);
    }
    const raw = await loadConfig({ env: process.env, readFile: readOrNull });
    const config = await resolveConfig(raw, createRootedFs(raw.rootPrefix));
    const ca = config.caFile ? ((await readOrNull(config.caFile)) ?? undefined) : undefined;
    if (config.caFile && ca === undefined)
      throw new CodedError(AgentErrorCodes.CONFIG, `caFile ${config.caFile} cannot be read`);
    return { file, config, ca };
  } catch (e: unknown) {
    return fail(e instanceof CodedError ? e.message : errorMessage(e));
  }
}

/** `bbb-agent migrate [--rollback] [--dry-run] [--root DIR]` (docs/deployment.md). */
async function runMigrate(rollbackIt: boolean, root: string, dryRun: boolean): Promise<number> {
  const file = process.env.BBB_AGENT_CONFIG ?? DEFAULT_CONFIG_PATH;
  const text = await readOrNull(root === "/" ? file : `${root}${file}`);
  let stateDir = "/var/lib/bbb-agent";
  if (text !== null) {
    try {
      const raw = await loadConfig({ env: process.env, readFile: () => Promise.resolve(text) });
      stateDir = raw.stateDir;
    } catch (e: unknown) {
      return fail(e instanceof CodedError ? e.message : errorMessage(e));
    }
  }
  const deps = {
    fs: createRootedFs(root),
    exec: createExec(),
    stateDir,
    configPath: file,
    systemctlRoot: root === "/" ? null : root,
    systemdRunning: root === "/" && existsSync("/run/systemd/system"),
    out: (line: string) => void process.stdout.write(`bbb-agent migrate: ${line}\n`),
    now: () => new Date(),
  };
  try {
    if (rollbackIt) await rollback(deps, dryRun);
    else await migrate(deps, dryRun);
    return 0;
  } catch (e: unknown) {
    process.stderr.write(`bbb-agent migrate: ${errorMessage(e)}\n`);
    return 1;
  }
}

/** The only place that reads env; wires the real world into createAgent. */
async function main(): Promise<void> {
  const command = parseAgentArgs(process.argv.slice(2));
  switch (command.kind) {
    case "help":
      process.stdout.write(AGENT_HELP);
      return;
    case "version":
      process.stdout.write(`bbb-agent ${AGENT_VERSION} (Node.js ${process.version}, ${process.arch})\n`);
      return;
    case "usage":
      return fail(`${command.message}; see bbb-agent --help`);
    case "check-config": {
      const { file, config } = await loadOrExit();
      const lines = await describeConfig(file, config, createRootedFs(config.rootPrefix));
      process.stdout.write(`${lines.join("\n")}\n`);
      return;
    }
    case "migrate":
      process.exitCode = await runMigrate(command.rollback, command.root, command.dryRun);
      return;
    case "run":
      return runAgent();
  }
}

async function runAgent(): Promise<void> {
  const { config, ca } = await loadOrExit();
  const log = pino({
    level: config.logLevel,
    base: { app: "bbb-agent" },
    redact: ["token", "password", "config.token"],
  });
  // The sync asks the agent for the board's type at sync time; the agent exists by then.
  let agentRef: Agent | null = null;
  const projectSync = projectSyncFor(config, log, () => {
    if (!agentRef) throw new Error("agent not created");
    return agentRef;
  });
  const agent = createAgent({ config, log, exec: createExec(), connect: createPlainConnect(process.env.MQTTJS_SOCKS_PROXY), ca, projectSync });
  agentRef = agent;
  const notify = createSdNotify({
    env: process.env,
    exec: createExec(),
    pid: process.pid,
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (t) => clearInterval(t as ReturnType<typeof setInterval>),
    onError: (e: unknown) => log.warn({ err: e }, "systemd notify failed"),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    notify.stopping();
    agent.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // A bad message never kills the agent; anything that escapes is logged, not fatal.
  process.on("unhandledRejection", (e: unknown) => log.error({ err: e }, "unhandled rejection"));
  await agent.start();
  notify.ready();
  if (notify.enabled) log.info({ watchdogMs: notify.watchdogIntervalMs * 3 }, "systemd notified: ready");
}

void main();
