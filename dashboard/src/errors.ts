import { CodedError, ErrorClass, ManagerReplyCodes, codesOf, defineErrors } from "@bbb/shared";

/**
 * Error catalogue of the dashboard; shown to the operator with the message. The manager's
 * codes the dashboard reacts to are the shared ManagerReplyCodes (docs/errors.md).
 */
export const DashboardErrors = defineErrors({
  TIMEOUT: { code: "DASH_E_TIMEOUT", message: "The manager did not answer in time.", ...ErrorClass.unavailable },
  NOT_CONNECTED: { code: "DASH_E_NOT_CONNECTED", message: "Not connected to the broker.", ...ErrorClass.unavailable },
  BAD_RESPONSE: {
    code: "DASH_E_BAD_RESPONSE",
    message: "The manager's answer does not match its schema.",
    ...ErrorClass.failed,
  },
  AUTH_FAILED: { code: "DASH_E_AUTH_FAILED", message: "Login refused.", ...ErrorClass.unauthenticated },
  INVALID_INPUT: { code: "DASH_E_INVALID_INPUT", message: "A form field is not valid.", ...ErrorClass.invalid },
  CANCELLED: { code: "DASH_E_CANCELLED", message: "The request was cancelled.", ...ErrorClass.failed },
});
export const DashboardErrorCodes = codesOf(DashboardErrors);
export type DashboardErrorCode = (typeof DashboardErrorCodes)[keyof typeof DashboardErrorCodes];

/** What the operator can do about an error, by code: a message alone leaves them guessing. */
const NEXT_STEP: Readonly<Record<string, string>> = {
  [DashboardErrorCodes.TIMEOUT]: "The server may be busy or unreachable: try again in a moment.",
  [DashboardErrorCodes.NOT_CONNECTED]: "Wait until the badge at the top shows connected, then try again.",
  [DashboardErrorCodes.BAD_RESPONSE]: "The server runs another version: reload the page.",
  [ManagerReplyCodes.UNKNOWN_METHOD]: "The server is older than this dashboard: update it or reload the page.",
  [ManagerReplyCodes.INVALID_PARAMS]: "Check the fields and try again.",
  [ManagerReplyCodes.UNAUTHENTICATED]: "Your session ended: sign out and sign in again.",
  [ManagerReplyCodes.FORBIDDEN]: "Your role does not allow this: ask an admin.",
  [ManagerReplyCodes.NOT_FOUND]: "It was removed meanwhile: reload the list.",
  [ManagerReplyCodes.CONFLICT]: "Something else uses it: check the item named, then try again.",
  [ManagerReplyCodes.UNAVAILABLE]: "Try again in a moment.",
  [ManagerReplyCodes.TIMEOUT]: "Try again in a moment.",
  [ManagerReplyCodes.INTERNAL]: "Try again; if it keeps failing, the server's log has the details.",
};

export function nextStep(e: unknown): string | null {
  return e instanceof CodedError ? (NEXT_STEP[e.code] ?? null) : null;
}

export function errorText(e: unknown): string {
  if (e instanceof CodedError) return `${e.message} (${e.code})${NEXT_STEP[e.code] ? ` ${NEXT_STEP[e.code]}` : ""}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The manager's answer for a method it does not have (MQTT or REST code, or JSON-RPC -32601). */
export function isUnknownMethod(e: unknown): boolean {
  return e instanceof CodedError && (e.code === ManagerReplyCodes.UNKNOWN_METHOD || e.code === "-32601");
}

export function isForbidden(e: unknown): boolean {
  return (
    e instanceof CodedError && (e.code === ManagerReplyCodes.FORBIDDEN || e.code === ManagerReplyCodes.UNAUTHENTICATED)
  );
}
