import { ErrorClass, codesOf, defineErrors } from "@bbb/shared";

/**
 * Error catalogue of the agent. The codes cross the wire in `result.error.code`
 * (docs/protocol.md, command results), so never rename one: tools and the manager match on them.
 */
export const AgentErrors = defineErrors({
  CONFIG: { code: "AGENT_E_CONFIG", message: "The agent's configuration is missing or invalid.", ...ErrorClass.failed },
  INVALID_JSON: { code: "AGENT_E_INVALID_JSON", message: "A command payload that is not JSON.", ...ErrorClass.invalid },
  INVALID_COMMAND: {
    code: "AGENT_E_INVALID_COMMAND",
    message: "A command that does not match its schema.",
    ...ErrorClass.invalid,
  },
  TOO_LARGE: { code: "AGENT_E_TOO_LARGE", message: "A command payload over the size limit.", ...ErrorClass.invalid },
  INVALID_ARGS: {
    code: "AGENT_E_INVALID_ARGS",
    message: "The action's arguments do not match its schema.",
    ...ErrorClass.invalid,
  },
  UNKNOWN_ACTION: { code: "AGENT_E_UNKNOWN_ACTION", message: "No action of that name.", ...ErrorClass.notFound },
  NOT_ALLOWED: {
    code: "AGENT_E_NOT_ALLOWED",
    message: "The action is not allowed on this board (read-only or refused by the policy).",
    ...ErrorClass.forbidden,
  },
  EXPIRED: { code: "AGENT_E_EXPIRED", message: "The command arrived after its deadline.", ...ErrorClass.failed },
  EXEC_FAILED: { code: "AGENT_E_EXEC_FAILED", message: "A program the action ran failed.", ...ErrorClass.failed },
  UNSUPPORTED: { code: "AGENT_E_UNSUPPORTED", message: "The board cannot do this action.", ...ErrorClass.failed },
  NET_BACKEND: {
    code: "AGENT_E_NET_BACKEND",
    message: "The network backend (connman, ip) failed or is absent.",
    ...ErrorClass.failed,
  },
  REVERTED: {
    code: "AGENT_E_REVERTED",
    message: "A network change lost the broker and was rolled back.",
    ...ErrorClass.failed,
  },
  REVERT_FAILED: {
    code: "AGENT_E_REVERT_FAILED",
    message: "A network change failed and so did its roll-back.",
    ...ErrorClass.failed,
  },
  SYNC_UNAVAILABLE: {
    code: "AGENT_E_SYNC_UNAVAILABLE",
    message: "Project sync is not configured or its store cannot be reached.",
    ...ErrorClass.unavailable,
  },
  SYNC_FAILED: { code: "AGENT_E_SYNC_FAILED", message: "Project sync failed.", ...ErrorClass.failed },
  NO_LEDS: { code: "AGENT_E_NO_LEDS", message: "The board has no user LEDs to blink.", ...ErrorClass.failed },
  INTERRUPTED: { code: "AGENT_E_INTERRUPTED", message: "The action was interrupted.", ...ErrorClass.failed },
  STOPPING: { code: "AGENT_E_STOPPING", message: "The agent is stopping.", ...ErrorClass.failed },
  INTERNAL: {
    code: "AGENT_E_INTERNAL",
    message: "An unexpected failure; the agent's log has it.",
    ...ErrorClass.internal,
  },
});
export const AgentErrorCodes = codesOf(AgentErrors);
export type AgentErrorCode = (typeof AgentErrorCodes)[keyof typeof AgentErrorCodes];
