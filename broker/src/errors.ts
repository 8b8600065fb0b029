import { ErrorClass, codesOf, defineErrors } from "@bbb/shared";

/** Error catalogue of the broker workspace; the codes cross the wire in replies (docs/errors.md). */
export const BrokerErrors = defineErrors({
  CONFIG: {
    code: "BROKER_E_CONFIG",
    message: "The broker's configuration (its environment) is missing or invalid.",
    ...ErrorClass.invalid,
  },
  INVALID_USERNAME: {
    code: "BROKER_E_INVALID_USERNAME",
    message: "The user name is not allowed.",
    ...ErrorClass.invalid,
  },
  RESERVED_USERNAME: {
    code: "BROKER_E_RESERVED_USERNAME",
    message: "The user name is reserved (the manager's or a board's).",
    ...ErrorClass.failed,
  },
  INVALID_PASSWORD: {
    code: "BROKER_E_INVALID_PASSWORD",
    message: "The password does not meet the rules.",
    ...ErrorClass.invalid,
  },
  PASSWORD_REQUIRED: {
    code: "BROKER_E_PASSWORD_REQUIRED",
    message: "A new user needs a password.",
    ...ErrorClass.failed,
  },
  LAST_ADMIN: {
    code: "BROKER_E_LAST_ADMIN",
    message: "The last admin cannot be removed or demoted.",
    ...ErrorClass.failed,
  },
  USER_STORE_CORRUPT: {
    code: "BROKER_E_USER_STORE_CORRUPT",
    message: "users.json cannot be read; it is left as it is.",
    ...ErrorClass.failed,
  },
  INVALID_FLEET_SECRET: {
    code: "BROKER_E_INVALID_FLEET_SECRET",
    message: "The fleet secret is missing or too short.",
    ...ErrorClass.invalid,
  },
  PUBLISH_DENIED: {
    code: "BROKER_E_PUBLISH_DENIED",
    message: "The client may not publish to that topic.",
    ...ErrorClass.forbidden,
  },
  BAD_REQUEST_PAYLOAD: {
    code: "BROKER_E_BAD_REQUEST_PAYLOAD",
    message: "A manager request that is not a JSON object.",
    ...ErrorClass.invalid,
  },
  ALREADY_STARTED: { code: "BROKER_E_ALREADY_STARTED", message: "start() called twice.", ...ErrorClass.failed },
  NOT_RUNNING: { code: "BROKER_E_NOT_RUNNING", message: "The broker is not running.", ...ErrorClass.failed },
});
export const BrokerErrorCodes = codesOf(BrokerErrors);
export type BrokerErrorCode = (typeof BrokerErrorCodes)[keyof typeof BrokerErrorCodes];
