import { z } from "zod";
import type { ErrorSpec } from "@bbb/shared";
import { ManagerErrors } from "../../errors.js";
import type { AppError } from "../errors.js";

/** JSON-RPC 2.0 (https://www.jsonrpc.org/specification), one JSON text per line. */
export type RpcId = string | number | null;

export const rpcRequestSchema = z
  .object({
    jsonrpc: z.literal("2.0"),
    method: z.string().min(1).max(128),
    params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
    // Spec 4: "An identifier ... MUST contain a String, Number, or NULL value if included".
    id: z.union([z.string().max(256), z.number(), z.null()]).optional(),
  })
  .strict();
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: { code: string; issues?: unknown; details?: unknown };
}

export type RpcResponse =
  { jsonrpc: "2.0"; id: RpcId; result: unknown } | { jsonrpc: "2.0"; id: RpcId; error: RpcErrorObject };

export function rpcResult(id: RpcId, result: unknown): RpcResponse {
  return { jsonrpc: "2.0", id, result };
}

/** An error answer: the JSON-RPC code from the catalogue entry, its stable code in `data.code`. */
export function rpcError(
  id: RpcId,
  spec: Pick<ErrorSpec, "code" | "rpc">,
  message: string,
  extra: Omit<NonNullable<RpcErrorObject["data"]>, "code"> = {},
): RpcResponse {
  return { jsonrpc: "2.0", id, error: { code: spec.rpc, message, data: { code: spec.code, ...extra } } };
}

export function rpcAppError(id: RpcId, e: AppError): RpcResponse {
  return rpcError(id, e, e.message, {
    ...(e.issues ? { issues: e.issues } : {}),
    ...(e.details !== undefined ? { details: e.details } : {}),
  });
}

export const parseErrorResponse = (message = "parse error"): RpcResponse =>
  rpcError(null, ManagerErrors.PARSE_ERROR, message);

export function notification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}

/** The id of a message that failed validation, if it had a usable one (spec 5: else null). */
export function salvageId(msg: unknown): RpcId {
  if (typeof msg !== "object" || msg === null || !("id" in msg)) return null;
  const id: unknown = msg.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}
