export { createAgent, type Agent, type AgentDeps } from "./create-agent.js";
export {
  agentConfigSchema,
  netBackendNames,
  type AgentConfig,
  type AgentConfigInput,
  type ResolvedAgentConfig,
} from "./config/schema.js";
export { loadConfig, resolveConfig, macBoardId, AGENT_ENV_VARS, DEFAULT_CONFIG_PATH } from "./config/load-config.js";
export type { ProjectSync, ProjectSyncOutcome, ProjectSyncProgress } from "./actions/project-sync.js";
export { AgentErrors, AgentErrorCodes, type AgentErrorCode } from "./errors.js";
export { createExec, type Exec, type ExecResult, type ExecOptions } from "./system/exec.js";
export { createRootedFs, type RootedFs } from "./system/rooted-fs.js";
export type { ConnectFn } from "./mqtt/connection.js";
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF } from "./mqtt/backoff.js";
export { AGENT_VERSION } from "./version.js";
