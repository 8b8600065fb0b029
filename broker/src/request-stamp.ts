import type { Role } from "@bbb/shared";
import { signRequestAuth } from "./request-sig.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * MQTT 3.1.1 carries no publisher identity, so the broker writes who published a manager
 * request into its payload, signed with `key` (docs/protocol.md §"Manager requests";
 * requestAuthSchema of @bbb/shared). Any `auth` the client sent is overwritten and a `token` is
 * removed (the stamp says who, and the token should travel no further than needed). Returns
 * null for a payload that is not a JSON object or is larger than maxBytes: the request is then refused.
 */
export function stampRequest(
  payload: Uint8Array | string,
  auth: { username: string; role: Role; clientId: string },
  maxBytes: number,
  key: Buffer,
): Buffer | null {
  const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
  if (size === 0 || size > maxBytes) return null;
  let value: unknown;
  let invalidUtf8 = false;
  try {
    let text: string;
    if (typeof payload === "string") text = payload;
    else {
      const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        // Decoded with U+FFFD only to find the transaction: the manager answers with an error.
        invalidUtf8 = true;
        text = bytes.toString("utf8");
      }
    }
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const obj = value as Record<string, unknown>;
  obj.auth = signRequestAuth(key, auth, typeof obj.transaction === "string" ? obj.transaction : "");
  delete obj.token;
  if (invalidUtf8) obj.invalidUtf8 = true;
  else delete obj.invalidUtf8;
  try {
    return Buffer.from(JSON.stringify(obj), "utf8");
  } catch {
    // Deep nesting parses but overflows the stack when written back (RangeError): a request
    // that cannot be stamped is refused, never an uncaught exception in the broker's hook.
    return null;
  }
}
