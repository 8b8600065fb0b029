#!/usr/bin/env node
import { CodedError, errorMessage } from "@bbb/shared";
import { readFile } from "node:fs/promises";
import mqtt from "mqtt";
import { pino } from "pino";
import { createAgent, type Agent } from "./create-agent.js";
import { loadConfig, resolveConfig } from "./config/load-config.js";
import type { ResolvedAgentConfig } from "./config/schema.js";
import { AgentErrorCodes } from "./errors.js";
import { createProjectSync } from "./sync/index.js";
import { createExec } from "./system/exec.js";
import { createRootedFs } from "./system/rooted-fs.js";

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

/** The only place that reads env; wires the real world into createAgent. */
async function main(): Promise<void> {
  const readOrNull = async (p: string) => {
    try {
      return await readFile(p, "utf8");
    } catch {
      return null;
    }
  };
  let config: ResolvedAgentConfig;
  let ca: string | undefined;
  try {
    const raw = await loadConfig({ env: process.env, readFile: readOrNull });
    config = await resolveConfig(raw, createRootedFs(raw.rootPrefix));
    ca = config.caFile ? ((await readOrNull(config.caFile)) ?? undefined) : undefined;
    if (config.caFile && ca === undefined)
      throw new CodedError(AgentErrorCodes.CONFIG, `caFile ${config.caFile} cannot be read`);
  } catch (e: unknown) {
    process.stderr.write(`bbb-agent: ${e instanceof CodedError ? e.message : errorMessage(e)}\n`);
    process.exit(2);
  }
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
  const agent = createAgent({ config, log, exec: createExec(), connect: mqtt.connect, ca, projectSync });
  agentRef = agent;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
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
}

void main();
