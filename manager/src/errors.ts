/**
 * Stable error codes of the manager; they cross the wire in MQTT, socket and REST replies
 * (STYLE.md rule 12). Messages of ManagerError are written for the caller; anything else
 * thrown inside a handler is reported as MGR_E_INTERNAL without its text.
 */
export const ManagerErrorCodes = {
  UNKNOWN_METHOD: "MGR_E_UNKNOWN_METHOD",
  INVALID_PARAMS: "MGR_E_INVALID_PARAMS",
  INVALID_REQUEST: "MGR_E_INVALID_REQUEST",
  UNAUTHENTICATED: "MGR_E_UNAUTHENTICATED",
  FORBIDDEN: "MGR_E_FORBIDDEN",
  NOT_FOUND: "MGR_E_NOT_FOUND",
  CONFLICT: "MGR_E_CONFLICT",
  UNAVAILABLE: "MGR_E_UNAVAILABLE",
  TIMEOUT: "MGR_E_TIMEOUT",
  CONFIG: "MGR_E_CONFIG",
  INTERNAL: "MGR_E_INTERNAL",
  PARSE_ERROR: "MGR_E_PARSE_ERROR",
  TOO_LARGE: "MGR_E_TOO_LARGE",
  /** The board runs a legacy daemon that cannot do this action (docs/legacy-protocols.md). */
  LEGACY_UNSUPPORTED: "MGR_E_LEGACY_UNSUPPORTED",
  /** A legacy board took no visible effect of a command before its deadline. */
  LEGACY_NO_EFFECT: "MGR_E_LEGACY_NO_EFFECT",
} as const;
export type ManagerErrorCode = (typeof ManagerErrorCodes)[keyof typeof ManagerErrorCodes];

export class ManagerError extends Error {
  readonly code: ManagerErrorCode;
  constructor(code: ManagerErrorCode, message: string) {
    super(message);
    this.name = "ManagerError";
    this.code = code;
  }
}

export function isManagerError(e: unknown): e is ManagerError {
  return e instanceof ManagerError;
}

export const notFound = (what: string) => new ManagerError(ManagerErrorCodes.NOT_FOUND, `${what} not found`);
export const conflict = (message: string) => new ManagerError(ManagerErrorCodes.CONFLICT, message);
