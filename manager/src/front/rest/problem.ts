import { STATUS_CODES } from "node:http";
import { findErrorSpec } from "@bbb/shared";
import { CATALOGUES, type Issue } from "../errors.js";

/** Media type of RFC 9457 problem details. */
export const PROBLEM_TYPE = "application/problem+json";

/** The problem `type` of an error code: a URN naming the code (docs/errors.md explains each). */
export const problemTypeOf = (code: string) => `urn:bbb:error:${code}`;

/**
 * An error answer of the REST API as RFC 9457 problem details: `type` (the code's URN), `title`
 * (what the code means, from the catalogue), `status`, `detail` (this occurrence), and the
 * extension members `code` and `issues`. The member `error` keeps the shape clients of the
 * earlier `{error: {code, message}}` answers read (docs/protocol.md §"REST API and browsers").
 */
export function problemBody(e: { code: string; message: string; status: number; issues?: Issue[]; details?: unknown }) {
  const spec = findErrorSpec(e.code, CATALOGUES);
  return {
    type: problemTypeOf(e.code),
    title: spec?.message ?? STATUS_CODES[e.status] ?? "Error",
    status: e.status,
    detail: e.message,
    code: e.code,
    ...(e.issues ? { issues: e.issues } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
    error: {
      code: e.code,
      message: e.message,
      ...(e.issues ? { issues: e.issues } : {}),
      ...(e.details !== undefined ? { details: e.details } : {}),
    },
  };
}

const issuesSchema = {
  type: "array",
  items: {
    type: "object",
    required: ["path", "message", "code"],
    properties: {
      path: { type: "array", items: { type: ["string", "integer"] } },
      message: { type: "string" },
      code: { type: "string" },
    },
  },
};

/** JSON Schema of problemBody for the OpenAPI document. */
export const PROBLEM_SCHEMA = {
  type: "object",
  required: ["type", "title", "status", "detail", "code", "error"],
  description: "RFC 9457 problem details; `code` is the stable error code to match on (docs/errors.md).",
  properties: {
    type: { type: "string", format: "uri", description: "urn:bbb:error:<code>" },
    title: { type: "string", description: "What the code means." },
    status: { type: "integer" },
    detail: { type: "string", description: "This occurrence." },
    code: { type: "string", description: "Stable error code, e.g. MGR_E_NOT_FOUND." },
    issues: { ...issuesSchema, description: "Params that failed the schema (MGR_E_INVALID_PARAMS)." },
    details: {},
    error: {
      type: "object",
      description: "The same code and message in the API's earlier error shape.",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, issues: issuesSchema, details: {} },
    },
  },
};
