/** Stable error codes of the dashboard (STYLE.md rule 12); shown to the operator with the message. */
export const DashboardErrorCodes = {
  TIMEOUT: "DASH_E_TIMEOUT",
  NOT_CONNECTED: "DASH_E_NOT_CONNECTED",
  BAD_RESPONSE: "DASH_E_BAD_RESPONSE",
  AUTH_FAILED: "DASH_E_AUTH_FAILED",
  INVALID_INPUT: "DASH_E_INVALID_INPUT",
  CANCELLED: "DASH_E_CANCELLED",
} as const;
export type DashboardErrorCode = (typeof DashboardErrorCodes)[keyof typeof DashboardErrorCodes];

/** An error with a code: from the manager (its own codes cross the wire) or from the dashboard. */
export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "CodedError";
    this.code = code;
  }
}

export function errorText(e: unknown): string {
  if (e instanceof CodedError) return `${e.message} (${e.code})`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The manager's answer for a method it does not have (manager front-door code, JSON-RPC -32601). */
export function isUnknownMethod(e: unknown): boolean {
  return e instanceof CodedError && (e.code === "MGR_E_METHOD_NOT_FOUND" || e.code === "-32601");
}

export function isForbidden(e: unknown): boolean {
  return e instanceof CodedError && (e.code === "MGR_E_FORBIDDEN" || e.code === "MGR_E_UNAUTHENTICATED");
}
