import { CodedError, ErrorClass, ManagerReplyErrors, codesOf, defineErrors } from "@bbb/shared";

/**
 * Error catalogue of the manager; the codes cross the wire in MQTT, socket and REST replies
 * (docs/errors.md). The answers every client matches on are shared (ManagerReplyErrors in
 * @bbb/shared); the rest are the manager's own. A CodedError's message is written for the
 * caller; anything else thrown inside a handler is reported as MGR_E_INTERNAL without its text.
 */
export const ManagerErrors = defineErrors({
  ...ManagerReplyErrors,
  CONFIG: { code: "MGR_E_CONFIG", message: "The configuration is missing or invalid.", ...ErrorClass.failed },
  ID_MISMATCH: {
    code: "MGR_E_ID_MISMATCH",
    message: "A heartbeat or result whose id differs from its topic's board id (dropped).",
    ...ErrorClass.failed,
  },
  METHOD_NOT_ALLOWED: {
    code: "MGR_E_METHOD_NOT_ALLOWED",
    message: "The HTTP verb is not allowed on that route.",
    status: 405,
    rpc: ErrorClass.failed.rpc,
  },
});
export const ManagerErrorCodes = codesOf(ManagerErrors);
export type ManagerErrorCode = (typeof ManagerErrorCodes)[keyof typeof ManagerErrorCodes];

/**
 * Codes of the project store. A method answers them as a manager code with the store's code
 * in the message (projects/project-methods.ts).
 */
export const ProjectErrors = defineErrors({
  NO_SOURCE: { code: "MGR_E_PROJECT_NO_SOURCE", message: "The type has no project source.", ...ErrorClass.failed },
  NOT_FOUND: { code: "MGR_E_PROJECT_NOT_FOUND", message: "The type has no built project.", ...ErrorClass.notFound },
  UNKNOWN_TYPE: { code: "MGR_E_UNKNOWN_TYPE", message: "No device type of that name.", ...ErrorClass.notFound },
  SOURCE_UNREADABLE: {
    code: "MGR_E_PROJECT_SOURCE_UNREADABLE",
    message: "The local project source cannot be read.",
    ...ErrorClass.failed,
  },
  SOURCE_FORBIDDEN: {
    code: "MGR_E_PROJECT_SOURCE_FORBIDDEN",
    message: "The local project source is outside the allowed folders or overlaps the store.",
    ...ErrorClass.forbidden,
  },
  GIT_FAILED: { code: "MGR_E_PROJECT_GIT_FAILED", message: "git clone or fetch failed.", ...ErrorClass.failed },
  TOO_LARGE: {
    code: "MGR_E_PROJECT_TOO_LARGE",
    message: "The project has too many files or bytes.",
    ...ErrorClass.invalid,
  },
  STORE_FAILED: {
    code: "MGR_E_PROJECT_STORE_FAILED",
    message: "Writing the project store failed.",
    ...ErrorClass.failed,
  },
  ABORTED: { code: "MGR_E_PROJECT_ABORTED", message: "The refresh was aborted.", ...ErrorClass.failed },
});
export const ProjectErrorCodes = codesOf(ProjectErrors);
export type ProjectErrorCode = (typeof ProjectErrorCodes)[keyof typeof ProjectErrorCodes];

export const notFound = (what: string) => new CodedError(ManagerErrorCodes.NOT_FOUND, `${what} not found`);
export const conflict = (message: string) => new CodedError(ManagerErrorCodes.CONFLICT, message);
