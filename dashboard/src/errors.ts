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

export function errorText(e: unknown): string {
  if (e instanceof CodedError) return `${e.message} (${e.code})`;
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
