#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import mqtt from "mqtt";
import { pino } from "pino";
import { createAgent } from "./create-agent.js";
import { loadConfig, resolveConfig } from "./config/load-config.js";
import { AgentError, errorMessage } from "./errors.js";
import { createExec } from "./system/exec.js";
import { createRootedFs } from "./system/rooted-fs.js";

/** The only place that reads env; wires the real world into createAgent (STYLE.md rule 1). */
async function main(): Promise<void> {
  const readOrNull = async (p: string) => {
    try {
      return await readFile(p, "utf8");
    } catch {
      return null;
    }
  };
  let config;
  try {
    const raw = await loadConfig({ env: process.env, readFile: readOrNull });
    config = await resolveConfig(raw, createRootedFs(raw.rootPrefix));
  } catch (e: unknown) {
    process.stderr.write(`bbb-agent: ${e instanceof AgentError ? e.message : errorMessage(e)}\n`);
    process.exit(2);
  }
  const log = pino({ level: config.logLevel, base: { app: "bbb-agent" }, redact: ["token", "password", "config.token"] });
  const ca = config.caFile ? await readFile(config.caFile, "utf8") : undefined;
  const agent = createAgent({ config, log, exec: createExec(), connect: mqtt.connect, ca });
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
