import { boardIdSchema, CodedError, describeZodError, errorMessage } from "@bbb/shared";
import { AgentErrorCodes } from "../errors.js";
import type { RootedFs } from "../system/rooted-fs.js";
import { agentConfigSchema, type AgentConfig, type ResolvedAgentConfig } from "./schema.js";

export const DEFAULT_CONFIG_PATH = "/etc/bbb-agent/config.json";

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
const int = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : s);

/** Env variable → config key and how its text becomes a value (docs/configuration.md: env wins). */
const ENV_KEYS: Record<string, [keyof AgentConfig, (s: string) => unknown]> = {
  BBB_BOARD_ID: ["boardId", (s) => s.trim()],
  BBB_MQTT_URL: ["mqttUrls", list],
  BBB_TOKEN: ["token", (s) => s],
  BBB_MQTT_CA: ["caFile", (s) => s],
  BBB_HEARTBEAT_MS: ["heartbeatMs", int],
  BBB_KEEPALIVE_S: ["keepaliveS", int],
  BBB_ROOT_PREFIX: ["rootPrefix", (s) => s],
  BBB_TOPIC_ROOT: ["topicRoot", (s) => s],
  BBB_AGENT_TYPE: ["type", (s) => s],
  BBB_SERVICES: ["services", list],
  BBB_SERVICE_POLL_MS: ["servicePollMs", int],
  BBB_TIME_SYNC_POLL_MS: ["timeSyncPollMs", int],
  BBB_INVENTORY_POLL_MS: ["inventoryPollMs", int],
  BBB_STATE_DIR: ["stateDir", (s) => s],
  BBB_NETWORK_CONFIRM_MS: ["networkConfirmMs", int],
  BBB_NET_BACKEND: ["netBackend", (s) => s.trim()],
  BBB_NET_IFACE: ["netInterface", (s) => s.trim()],
  BBB_SFTP_HOST: ["sftpHost", (s) => s.trim()],
  BBB_SFTP_PORT: ["sftpPort", int],
  BBB_SFTP_FINGERPRINT: ["sftpHostKeyFingerprint", (s) => s.trim()],
  BBB_PROJECT_DIR: ["projectDir", (s) => s.trim()],
  BBB_MANAGE_RC_LOCAL: [
    "manageRcLocal",
    (s) => (s === "1" || s === "true" ? true : s === "0" || s === "false" ? false : s),
  ],
  BBB_LOG_LEVEL: ["logLevel", (s) => s.trim()],
  // The standard EPICS names, as every CA client on the board reads them (docs/epics.md).
  EPICS_CA_ADDR_LIST: ["caAddrList", (s) => s.split(/\s+/).filter((x) => x.length > 0)],
  EPICS_CA_AUTO_ADDR_LIST: ["caAutoAddrList", (s) => (/^(yes|no)$/i.test(s.trim()) ? s.trim().toLowerCase() === "yes" : s)],
  EPICS_CA_SERVER_PORT: ["caServerPort", int],
  BBB_IOC_POLL_MS: ["iocPollMs", int],
};

/** Names of the environment variables the agent reads (for docs and `--help`). */
export const AGENT_ENV_VARS = ["BBB_AGENT_CONFIG", ...Object.keys(ENV_KEYS)];

export interface LoadConfigDeps {
  env: Readonly<Record<string, string | undefined>>;
  /** Reads the config file; resolves null when it does not exist. */
  readFile: (path: string) => Promise<string | null>;
}

/**
 * Reads the JSON config file (BBB_AGENT_CONFIG, default /etc/bbb-agent/config.json; a missing
 * default file is fine, a missing explicit one is not), applies env overrides, validates.
 * Throws CodedError(AGENT_E_CONFIG) with a readable message.
 */
export async function loadConfig({ env, readFile }: LoadConfigDeps): Promise<AgentConfig> {
  const explicit = env.BBB_AGENT_CONFIG;
  const file = explicit ?? DEFAULT_CONFIG_PATH;
  let fromFile: Record<string, unknown> = {};
  const text = await readFile(file);
  if (text === null) {
    if (explicit !== undefined) throw new CodedError(AgentErrorCodes.CONFIG, `config file ${file} not found`);
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e: unknown) {
      throw new CodedError(AgentErrorCodes.CONFIG, `config file ${file} is not valid JSON: ${errorMessage(e)}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new CodedError(AgentErrorCodes.CONFIG, `config file ${file} must hold a JSON object`);
    }
    fromFile = parsed as Record<string, unknown>;
  }
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [name, [key, conv]] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== "") merged[key] = conv(v);
  }
  const r = agentConfigSchema.safeParse(merged);
  if (!r.success) throw new CodedError(AgentErrorCodes.CONFIG, `invalid agent config: ${describeZodError(r.error, 5)}`);
  return r.data;
}

/** eth0's MAC as a board id: lower-case hex without separators (docs/protocol.md §"Identifiers"). */
export async function macBoardId(fs: RootedFs, iface: string): Promise<string | null> {
  const mac = await fs.tryReadSmall(`/sys/class/net/${iface}/address`, 64);
  if (mac === null) return null;
  const id = mac.trim().toLowerCase().replaceAll(":", "");
  return /^[0-9a-f]{12}$/.test(id) ? id : null;
}

export async function resolveConfig(config: AgentConfig, fs: RootedFs): Promise<ResolvedAgentConfig> {
  if (config.boardId !== undefined) return { ...config, boardId: config.boardId };
  const id = await macBoardId(fs, config.netInterface);
  if (id === null || !boardIdSchema.safeParse(id).success) {
    throw new CodedError(
      AgentErrorCodes.CONFIG,
      `no board id configured and no MAC in ${fs.resolve(`/sys/class/net/${config.netInterface}/address`)}`,
    );
  }
  return { ...config, boardId: id };
}
