import { detectNetBackend } from "../backends/net/detect.js";
import type { ResolvedAgentConfig } from "../config/schema.js";
import type { RootedFs } from "../system/rooted-fs.js";

/**
 * `bbb-agent --check-config`: what the agent would use, without connecting (the config was
 * loaded and validated by the caller; a bad one never gets here).
 */
export async function describeConfig(configFile: string, config: ResolvedAgentConfig, fs: RootedFs): Promise<string[]> {
  const backend = config.netBackend === "auto" ? `${await detectNetBackend(fs, config.netInterface)} (detected)` : config.netBackend;
  return [
    `config: ${configFile} is valid`,
    `board id: ${config.boardId}`,
    `brokers: ${config.mqttUrls.join(", ")}`,
    `token: ${config.token ? "set" : "NOT SET (the broker will refuse the board)"}`,
    `network backend: ${backend} on ${config.netInterface}`,
    `project folder: ${config.projectDir}`,
    `services watched: ${config.services.length > 0 ? config.services.join(", ") : "(none)"}`,
    `state: ${config.stateDir}`,
  ];
}
