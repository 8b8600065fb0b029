import { BrokerErrors } from "@bbb/broker";
import { SharedErrors, findErrorSpec, isAppCode, type ErrorSpec } from "@bbb/shared";
import { ManagerErrors, ProjectErrors } from "../errors.js";

export interface Issue {
  path: (string | number)[];
  message: string;
  code: string;
}

/**
 * An error as the front doors report it, with the HTTP status and JSON-RPC code its catalogue
 * entry names (docs/errors.md). Never carries the text of an internal error.
 */
export interface AppError {
  code: string;
  message: string;
  status: number;
  rpc: number;
  issues?: Issue[];
  details?: unknown;
}

/** Every catalogue whose codes a method handler may throw. */
export const CATALOGUES = [ManagerErrors, ProjectErrors, BrokerErrors, SharedErrors];

/** An application code that no catalogue declares answers as a plain failure. */
const UNLISTED = { status: 400, rpc: -32000 } as const;

/** The AppError of a catalogue entry with the message (and extras) of this occurrence. */
export function appError(
  spec: ErrorSpec,
  message: string,
  extra: { issues?: Issue[]; details?: unknown } = {},
): AppError {
  return {
    code: spec.code,
    message,
    status: spec.status,
    rpc: spec.rpc,
    ...(extra.issues ? { issues: extra.issues } : {}),
    ...(extra.details !== undefined ? { details: extra.details } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/**
 * Classifies anything a handler threw. An error with an application code keeps its code and
 * message and takes status and JSON-RPC code from its catalogue; anything else (a TypeError,
 * ENOENT, SQLITE_BUSY) is internal: answered MGR_E_INTERNAL with no text of the original.
 */
export function classifyError(e: unknown): AppError {
  if (isRecord(e) && isAppCode(e.code) && typeof e.message === "string") {
    const spec = findErrorSpec(e.code, CATALOGUES) ?? { code: e.code, message: "", ...UNLISTED };
    const details = e.details ?? e.data;
    return appError(spec, e.message.slice(0, 2048), { details });
  }
  return appError(ManagerErrors.INTERNAL, "internal error");
}

export const isInternal = (e: AppError) => e.code === ManagerErrors.INTERNAL.code;
