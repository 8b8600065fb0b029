/** Stable error codes of the broker workspace (STYLE.md rule 12); they cross the wire in replies. */
export const BrokerErrorCodes = {
  INVALID_USERNAME: "BROKER_E_INVALID_USERNAME",
  RESERVED_USERNAME: "BROKER_E_RESERVED_USERNAME",
  INVALID_PASSWORD: "BROKER_E_INVALID_PASSWORD",
  PASSWORD_REQUIRED: "BROKER_E_PASSWORD_REQUIRED",
  LAST_ADMIN: "BROKER_E_LAST_ADMIN",
  USER_STORE_CORRUPT: "BROKER_E_USER_STORE_CORRUPT",
  INVALID_FLEET_SECRET: "BROKER_E_INVALID_FLEET_SECRET",
  PUBLISH_DENIED: "BROKER_E_PUBLISH_DENIED",
  BAD_REQUEST_PAYLOAD: "BROKER_E_BAD_REQUEST_PAYLOAD",
  ALREADY_STARTED: "BROKER_E_ALREADY_STARTED",
  NOT_RUNNING: "BROKER_E_NOT_RUNNING",
} as const;
export type BrokerErrorCode = (typeof BrokerErrorCodes)[keyof typeof BrokerErrorCodes];

export class BrokerError extends Error {
  readonly code: BrokerErrorCode;
  constructor(code: BrokerErrorCode, message: string) {
    super(message);
    this.name = "BrokerError";
    this.code = code;
  }
}

export function isBrokerError(e: unknown): e is BrokerError {
  return e instanceof BrokerError;
}
