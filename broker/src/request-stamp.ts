import type { RequestAuth } from "@bbb/shared";

/**
 * MQTT 3.1.1 carries no publisher identity, so the broker writes who published a manager
 * request into its payload (docs/protocol.md §"Manager requests"; requestAuthSchema of @bbb/shared).
 * Any `auth` the client sent is overwritten. Returns null for a payload that is not a JSON
 * object or is larger than maxBytes: the request is then refused.
 */
export function stampRequest(payload: Uint8Array | string, auth: RequestAuth, maxBytes: number): Buffer | null {
  const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
  if (size === 0 || size > maxBytes) return null;
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === "string" ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8"));
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const obj = value as Record<string, unknown>;
  obj.auth = { username: auth.username, role: auth.role, clientId: auth.clientId };
  try {
    return Buffer.from(JSON.stringify(obj), "utf8");
  } catch {
    // Deep nesting parses but overflows the stack when written back (RangeError): a request
    // that cannot be stamped is refused, never an uncaught exception in the broker's hook.
    return null;
  }
}
