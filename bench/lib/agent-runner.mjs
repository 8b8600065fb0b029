import { existsSync, readFileSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnProgram, stop } from "./children.mjs";
import { boardToken } from "./payloads.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const AGENT_MAIN = join(ROOT, "agent", "dist", "main.js");
export const AGENT_BUNDLE = join(ROOT, "agent", "dist-bundle", "bbb-agent.cjs");
export const AGENT_UNIT = join(ROOT, "agent", "packaging", "bbb-agent.service.in");

/** systemd's word splitting of one assignment value, enough for our unit: "…" and '…' quotes. */
function unitWords(value) {
  return [...value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/**
 * The node flags and environment the shipped unit starts the agent with, read from
 * bbb-agent.service.in itself so that the benchmark cannot drift from what a board runs:
 * every ExecStart= word between @NODE@ and the program, and every Environment= pair except the
 * config file path (the benchmark brings its own config). EnvironmentFile= (the operator's
 * overrides, absent by default) is not read.
 */
export function unitNodeSetup(file = AGENT_UNIT) {
  const lines = readFileSync(file, "utf8").split("\n");
  const exec = lines.find((l) => l.startsWith("ExecStart="));
  if (!exec) throw new Error(`${file}: no ExecStart=`);
  const words = unitWords(exec.slice("ExecStart=".length));
  const program = words.findIndex((w) => w.endsWith("/bbb-agent.cjs"));
  if (words[0] !== "@NODE@" || program < 0) throw new Error(`${file}: ExecStart= is not "@NODE@ <flags> …/bbb-agent.cjs"`);
  const env = {};
  for (const l of lines.filter((x) => x.startsWith("Environment="))) {
    for (const w of unitWords(l.slice("Environment=".length))) {
      const eq = w.indexOf("=");
      if (eq > 0 && w.slice(0, eq) !== "BBB_AGENT_CONFIG") env[w.slice(0, eq)] = w.slice(eq + 1);
    }
  }
  return { nodeArgs: words.slice(1, program), env };
}

export function bundleSize() {
  return existsSync(AGENT_BUNDLE) ? statSync(AGENT_BUNDLE).size : null;
}

/**
 * One real agent process (`node agent/dist/main.js`, or the shipped bundle) on a generated fake
 * root (createFakeRoot of @bbb/agent/sim: every system read goes under it; no services to poll),
 * with the board's real token, started with the unit's node flags and environment
 * (`unitNodeSetup(unitFile)`, by default this checkout's unit; `shipped: false` for a bare
 * `node <program>`).
 */
export async function startAgent({ url, secret, index = 7, program = AGENT_MAIN, heartbeatMs = 1000, shipped = true, node = [process.execPath], unitFile = AGENT_UNIT }) {
  const { createFakeRoot } = await import("@bbb/agent/sim");
  const fake = await createFakeRoot({ index });
  const cfgFile = join(fake.root, "agent-config.json");
  await writeFile(cfgFile, JSON.stringify({ services: [] }));
  const unit = shipped ? unitNodeSetup(unitFile) : { nodeArgs: [], env: {} };
  const child = spawnProgram(node[0], [...node.slice(1), ...unit.nodeArgs, program], {
    env: {
      ...unit.env,
      BBB_AGENT_CONFIG: cfgFile,
      BBB_MQTT_URL: `mqtt://${url.host}:${url.port}`,
      BBB_TOKEN: boardToken(secret, fake.boardId),
      BBB_ROOT_PREFIX: fake.root,
      BBB_STATE_DIR: fake.stateDir,
      BBB_HEARTBEAT_MS: String(heartbeatMs),
      BBB_LOG_LEVEL: "warn",
    },
  });
  return {
    pid: child.pid,
    child,
    boardId: fake.boardId,
    async stop() {
      await stop(child);
      await fake.cleanup();
    },
  };
}
