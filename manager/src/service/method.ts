import type { z } from "zod";
import type { Role } from "@bbb/shared";

/** Who is calling a service method, as established by the front door that took the call. */
export interface CallContext {
  username: string;
  role: Role;
  /** Which front door: "mqtt" | "socket" | "rest" | "internal". */
  via: "mqtt" | "socket" | "rest" | "internal";
  /** Where the call came from: the peer address (REST, socket) or the MQTT client id. */
  peer?: string;
  /** Where the door's dispatch records mutating calls (service/audit.ts); absent: not audited. */
  audit?: (def: Pick<MethodDef, "name" | "http">, params: unknown, ctx: CallContext, result: string) => void;
  /** Progress of long operations (bulk commands): front doors forward it if they can. */
  onProgress?: (p: { done: number; total: number; detail?: unknown }) => void;
  signal?: AbortSignal;
}

/**
 * One operation of the service layer. Every front door (MQTT request/response, TCP socket,
 * REST) is a thin adapter over a table of these: a method added once appears on all of them.
 */
export interface MethodDef<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /** Least role allowed to call it. */
  role: Role;
  params: P;
  result: R;
  /** REST mapping: verb and path under /api with {param} placeholders filled from params. */
  http?: { method: "GET" | "POST" | "PUT" | "DELETE"; path: string };
  handler: (params: z.output<P>, ctx: CallContext) => Promise<z.input<R>> | z.input<R>;
}

export type MethodTable = ReadonlyMap<string, MethodDef>;

/** Identity helper that keeps the param/result inference of a method definition. */
export function defineMethod<P extends z.ZodType, R extends z.ZodType>(m: MethodDef<P, R>): MethodDef {
  return m;
}
