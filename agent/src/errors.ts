/**
 * Stable error codes of the agent. They cross the wire in `result.error.code` (DESIGN.md
 * "Topic tree", result payload), so never rename one: tools and the manager match on them.
 */
export const AgentErrorCodes = {
  CONFIG: "AGENT_E_CONFIG",
  INVALID_JSON: "AGENT_E_INVALID_JSON",
  INVALID_COMMAND: "AGENT_E_INVALID_COMMAND",
  TOO_LARGE: "AGENT_E_TOO_LARGE",
  INVALID_ARGS: "AGENT_E_INVALID_ARGS",
  UNKNOWN_ACTION: "AGENT_E_UNKNOWN_ACTION",
  NOT_ALLOWED: "AGENT_E_NOT_ALLOWED",
  EXPIRED: "AGENT_E_EXPIRED",
  EXEC_FAILED: "AGENT_E_EXEC_FAILED",
  UNSUPPORTED: "AGENT_E_UNSUPPORTED",
  NET_BACKEND: "AGENT_E_NET_BACKEND",
  REVERTED: "AGENT_E_REVERTED",
  REVERT_FAILED: "AGENT_E_REVERT_FAILED",
  SYNC_UNAVAILABLE: "AGENT_E_SYNC_UNAVAILABLE",
  SYNC_FAILED: "AGENT_E_SYNC_FAILED",
  NO_LEDS: "AGENT_E_NO_LEDS",
  INTERRUPTED: "AGENT_E_INTERRUPTED",
  STOPPING: "AGENT_E_STOPPING",
  INTERNAL: "AGENT_E_INTERNAL",
} as const;
export type AgentErrorCode = (typeof AgentErrorCodes)[keyof typeof AgentErrorCodes];

/** An error that carries one of the stable codes to the command result. */
export class AgentError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AgentError";
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
