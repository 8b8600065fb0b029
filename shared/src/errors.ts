/**
 * One shape for every workspace's error catalogue (docs/errors.md lists them all): each entry
 * names the stable code that crosses the wire, what it means, the HTTP status a REST answer
 * carries and the JSON-RPC error code a socket answer carries. Codes are `<WS>_E_<NAME>` and
 * never renamed: tools and the dashboard match on them.
 */
export interface ErrorSpec<C extends string = string> {
  readonly code: C;
  /** What the code means, for the generated list; the thrown error carries its own message. */
  readonly message: string;
  readonly status: number;
  readonly rpc: number;
}

export type ErrorCatalogue = Readonly<Record<string, ErrorSpec>>;

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

/** The usual pairs of HTTP status and JSON-RPC code, so catalogues stay consistent. */
export const ErrorClass = {
  invalid: { status: 422, rpc: RpcCodes.INVALID_PARAMS },
  unauthenticated: { status: 401, rpc: RpcCodes.UNAUTHENTICATED },
  forbidden: { status: 403, rpc: RpcCodes.FORBIDDEN },
  notFound: { status: 404, rpc: RpcCodes.NOT_FOUND },
  conflict: { status: 409, rpc: RpcCodes.CONFLICT },
  unavailable: { status: 503, rpc: RpcCodes.UNAVAILABLE },
  failed: { status: 400, rpc: RpcCodes.FAILED },
  internal: { status: 500, rpc: RpcCodes.INTERNAL },
} as const satisfies Record<string, { status: number; rpc: number }>;

const CODE = /^[A-Z]{2,10}_E_[A-Z0-9_]{2,64}$/;

/** Whether `code` has the shape of an application code (anything else is an internal error). */
export function isAppCode(code: unknown): code is string {
  return typeof code === "string" && CODE.test(code);
}

/** Declares a workspace's catalogue; a malformed or repeated code fails at load time. */
export function defineErrors<const T extends Record<string, ErrorSpec>>(catalogue: T): T {
  const seen = new Set<string>();
  for (const [key, spec] of Object.entries(catalogue)) {
    if (!isAppCode(spec.code)) throw new Error(`error code ${key}: ${String(spec.code)} is not <WS>_E_<NAME>`);
    if (seen.has(spec.code)) throw new Error(`error code ${spec.code} declared twice`);
    seen.add(spec.code);
  }
  return Object.freeze(catalogue);
}

/** The catalogue's keys mapped to their codes (`Codes.NOT_FOUND === "MGR_E_NOT_FOUND"`). */
export function codesOf<T extends ErrorCatalogue>(catalogue: T): { readonly [K in keyof T]: T[K]["code"] } {
  return Object.freeze(Object.fromEntries(Object.entries(catalogue).map(([k, s]) => [k, s.code]))) as {
    readonly [K in keyof T]: T[K]["code"];
  };
}

/** Looks a code up in some catalogues (the first that has it). */
export function findErrorSpec(code: string, catalogues: readonly ErrorCatalogue[]): ErrorSpec | undefined {
  for (const c of catalogues) for (const s of Object.values(c)) if (s.code === code) return s;
  return undefined;
}

/** The one error class of every workspace: a stable code, a message for the caller, optional data. */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly data?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CodedError";
  }
}

/** Whether `e` is a CodedError, and if a catalogue is given, one of its codes. */
export function isCodedError(e: unknown, catalogue?: ErrorCatalogue): e is CodedError {
  if (!(e instanceof CodedError)) return false;
  return catalogue === undefined || Object.values(catalogue).some((s) => s.code === e.code);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Stable error codes of the shared protocol layer; they cross the wire in replies. */
export const SharedErrors = defineErrors({
  INVALID_JSON: { code: "PROTO_E_INVALID_JSON", message: "The payload is not JSON.", ...ErrorClass.invalid },
  INVALID_PAYLOAD: {
    code: "PROTO_E_INVALID_PAYLOAD",
    message: "The payload does not match its schema (docs/schemas).",
    ...ErrorClass.invalid,
  },
  TOO_LARGE: { code: "PROTO_E_TOO_LARGE", message: "The payload is over its size limit.", ...ErrorClass.invalid },
});
export const SharedErrorCodes = codesOf(SharedErrors);
export type SharedErrorCode = (typeof SharedErrorCodes)[keyof typeof SharedErrorCodes];

/**
 * The manager's answers to a method call, shared because every client matches on them (the
 * dashboard, bbbctl, scripts): MQTT responses carry them in `error.code`, the socket in
 * `error.data.code`, REST in `error.code` (docs/protocol.md). The manager's own catalogue
 * (manager/src/errors.ts) includes these.
 */
export const ManagerReplyErrors = defineErrors({
  UNKNOWN_METHOD: {
    code: "MGR_E_UNKNOWN_METHOD",
    message: "No method of that name.",
    status: 404,
    rpc: RpcCodes.METHOD_NOT_FOUND,
  },
  INVALID_PARAMS: {
    code: "MGR_E_INVALID_PARAMS",
    message: "The params do not match the method's schema.",
    ...ErrorClass.invalid,
  },
  INVALID_REQUEST: {
    code: "MGR_E_INVALID_REQUEST",
    message: "The request is not a valid JSON-RPC 2.0 request.",
    status: 400,
    rpc: RpcCodes.INVALID_REQUEST,
  },
  PARSE_ERROR: {
    code: "MGR_E_PARSE_ERROR",
    message: "The request is not JSON.",
    status: 400,
    rpc: RpcCodes.PARSE_ERROR,
  },
  TOO_LARGE: {
    code: "MGR_E_TOO_LARGE",
    message: "The request or its answer is over the size limit.",
    status: 413,
    rpc: RpcCodes.TOO_LARGE,
  },
  UNAUTHENTICATED: {
    code: "MGR_E_UNAUTHENTICATED",
    message: "No valid credentials or token.",
    ...ErrorClass.unauthenticated,
  },
  FORBIDDEN: { code: "MGR_E_FORBIDDEN", message: "The caller's role may not do this.", ...ErrorClass.forbidden },
  NOT_FOUND: { code: "MGR_E_NOT_FOUND", message: "The named item does not exist.", ...ErrorClass.notFound },
  CONFLICT: {
    code: "MGR_E_CONFLICT",
    message: "The change conflicts with the current state (in use, exists, busy).",
    ...ErrorClass.conflict,
  },
  UNAVAILABLE: {
    code: "MGR_E_UNAVAILABLE",
    message: "Not possible right now (not connected, too many requests in flight); retry later.",
    ...ErrorClass.unavailable,
  },
  TIMEOUT: { code: "MGR_E_TIMEOUT", message: "No answer in time.", ...ErrorClass.unavailable },
  INTERNAL: {
    code: "MGR_E_INTERNAL",
    message: "An unexpected failure; the manager's log has the details.",
    ...ErrorClass.internal,
  },
});
export const ManagerReplyCodes = codesOf(ManagerReplyErrors);
