import { existsSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnProgram, stop } from "./children.mjs";
import { boardToken } from "./payloads.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const AGENT_MAIN = join(ROOT, "agent", "dist", "main.js");
export const AGENT_BUNDLE = join(ROOT, "agent", "dist-bundle", "bbb-agent.cjs");

export function bundleSize() {
  return existsSync(AGENT_BUNDLE) ? statSync(AGENT_BUNDLE).size : null;
}

/**
 * One real agent process (`node agent/dist/main.js`, or the shipped bundle) on a generated fake
 * root (createFakeRoot of @bbb/agent: every system read goes under it; no services to poll),
 * with the board's real token.
 */
export async function startAgent({ url, secret, index = 7, program = AGENT_MAIN, heartbeatMs = 1000 }) {
  const { createFakeRoot } = await import("@bbb/agent");
  const fake = await createFakeRoot({ index });
  const cfgFile = join(fake.root, "agent-config.json");
  await writeFile(cfgFile, JSON.stringify({ services: [] }));
  const child = spawnProgram(process.execPath, [program], {
    env: {
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
