import { ManagerErrorCodes } from "../errors.js";

/**
 * Error codes of the manager's front doors (socket, REST, webhooks): the manager's own codes
 * (src/errors.ts) plus the two only a front door can raise. They cross the wire in
 * `error.data.code` (JSON-RPC) and `error.code` (REST) and are stable: scripts match on them.
 */
export const FrontErrorCodes = {
  PARSE_ERROR: ManagerErrorCodes.PARSE_ERROR,
  TOO_LARGE: ManagerErrorCodes.TOO_LARGE,
  INVALID_REQUEST: ManagerErrorCodes.INVALID_REQUEST,
  METHOD_NOT_FOUND: ManagerErrorCodes.UNKNOWN_METHOD,
  INVALID_PARAMS: ManagerErrorCodes.INVALID_PARAMS,
  UNAUTHENTICATED: ManagerErrorCodes.UNAUTHENTICATED,
  FORBIDDEN: ManagerErrorCodes.FORBIDDEN,
  NOT_FOUND: ManagerErrorCodes.NOT_FOUND,
  CONFLICT: ManagerErrorCodes.CONFLICT,
  UNAVAILABLE: ManagerErrorCodes.UNAVAILABLE,
  INTERNAL: ManagerErrorCodes.INTERNAL,
} as const;
export type FrontErrorCode = (typeof FrontErrorCodes)[keyof typeof FrontErrorCodes];

/** What went wrong, independent of the front door that reports it. */
export type ErrorKind =
  | "invalid-params"
  | "method-not-found"
  | "unauthenticated"
  | "forbidden"
  | "not-found"
  | "conflict"
  | "unavailable"
  | "failed"
  | "internal";

export interface Issue {
  path: (string | number)[];
  message: string;
  code: string;
}

/** An error as the front doors report it: never carries internal text for kind "internal". */
export interface AppError {
  kind: ErrorKind;
  code: string;
  message: string;
  issues?: Issue[];
  details?: unknown;
}

/** Error a front door raises itself (bad route, too large a body, ...). */
export class FrontError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "FrontError";
  }
}

/**
 * Application errors carry a stable code of the form `<WS>_E_<NAME>` (STYLE.md rule 12), e.g.
 * MGR_E_NOT_FOUND or PROTO_E_INVALID_PAYLOAD. Anything else (a TypeError, ENOENT, SQLITE_BUSY)
 * is internal: logged, answered with a generic message, never leaked.
 */
const APP_CODE = /^[A-Z]{2,10}_E_[A-Z0-9_]{2,64}$/;

function kindOfCode(code: string, status: number | undefined): ErrorKind {
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 409) return "conflict";
  if (status === 400 || status === 422) return "invalid-params";
  if (status === 503) return "unavailable";
  if (code === ManagerErrorCodes.UNKNOWN_METHOD) return "method-not-found";
  const name = code.slice(code.indexOf("_E_") + 3);
  if (/NOT_FOUND|^UNKNOWN|NO_SUCH/.test(name)) return "not-found";
  if (/CONFLICT|EXISTS|IN_USE|DUPLICATE|TAKEN/.test(name)) return "conflict";
  if (/FORBIDDEN|NOT_ALLOWED|DENIED/.test(name)) return "forbidden";
  if (/UNAUTHENTICATED|UNAUTHORIZED|BAD_CREDENTIALS/.test(name)) return "unauthenticated";
  if (/INVALID|BAD_|TOO_LARGE|MALFORMED/.test(name)) return "invalid-params";
  if (/UNAVAILABLE|TIMEOUT|OFFLINE|NOT_CONNECTED|BUSY/.test(name)) return "unavailable";
  return "failed";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/** Classifies anything a handler threw. `internal` errors keep no text of the original. */
export function classifyError(e: unknown): AppError {
  if (e instanceof FrontError) {
    return {
      kind: e.kind,
      code: e.code,
      message: e.message,
      ...(e.details !== undefined ? { details: e.details } : {}),
    };
  }
  if (isRecord(e) && typeof e.code === "string" && APP_CODE.test(e.code) && typeof e.message === "string") {
    const status =
      typeof e.status === "number" ? e.status : typeof e.statusCode === "number" ? e.statusCode : undefined;
    const details = e.details ?? e.data;
    return {
      kind: kindOfCode(e.code, status),
      code: e.code,
      message: e.message.slice(0, 2048),
      ...(details !== undefined ? { details } : {}),
    };
  }
  return { kind: "internal", code: FrontErrorCodes.INTERNAL, message: "internal error" };
}

/** JSON-RPC 2.0 codes: the spec's own, and the application range -32000..-32099 for ours. */
export const RpcCodes = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  FAILED: -32000,
  UNAUTHENTICATED: -32001,
  FORBIDDEN: -32003,
  NOT_FOUND: -32004,
  CONFLICT: -32009,
  UNAVAILABLE: -32010,
  TOO_LARGE: -32013,
} as const;

export const RPC_CODE_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  "invalid-params": RpcCodes.INVALID_PARAMS,
  "method-not-found": RpcCodes.METHOD_NOT_FOUND,
  unauthenticated: RpcCodes.UNAUTHENTICATED,
  forbidden: RpcCodes.FORBIDDEN,
  "not-found": RpcCodes.NOT_FOUND,
  conflict: RpcCodes.CONFLICT,
  unavailable: RpcCodes.UNAVAILABLE,
  failed: RpcCodes.FAILED,
  internal: RpcCodes.INTERNAL,
};

export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  "invalid-params": 422,
  "method-not-found": 404,
  unauthenticated: 401,
  forbidden: 403,
  "not-found": 404,
  conflict: 409,
  unavailable: 503,
  failed: 400,
  internal: 500,
};
