import type { z } from "zod";
import { SharedErrorCodes, type SharedErrorCode } from "./errors.js";

// Fatal: invalid UTF-8 (or UTF-16 sent as bytes) is refused, not turned into U+FFFD and stored
// (RELIABILITY.md §"Bad input": wrong encodings are rejected). A UTF-8 BOM is still skipped.
const utf8 = new TextDecoder("utf-8", { fatal: true });

export type Decoded<T> = { ok: true; value: T } | { ok: false; code: SharedErrorCode; message: string };

/** Short human description of a zod error: the first issues with their paths. */
export function describeZodError(err: z.ZodError, max = 3): string {
  return err.issues
    .slice(0, max)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

/**
 * Decodes a wire payload (bytes or text) with a size limit, JSON parsing and a schema.
 * Never throws: every outside payload goes through here at a boundary. `check`: the same rules
 * as the schema's in plain code (schemas/heartbeat-check.ts), tried first; what it does not
 * accept goes to the schema, so a refusal always carries the schema's reasons.
 */
export function decodePayload<S extends z.ZodType>(
  schema: S,
  payload: Uint8Array | string,
  maxBytes: number,
  opts: { emptyAs?: unknown; check?: (value: unknown) => z.output<S> | null } = {},
): Decoded<z.output<S>> {
  const size = typeof payload === "string" ? payload.length : payload.byteLength;
  if (size > maxBytes) return { ok: false, code: SharedErrorCodes.TOO_LARGE, message: `payload of ${size} bytes exceeds ${maxBytes}` };
  let value: unknown;
  if (size === 0 && "emptyAs" in opts) {
    value = opts.emptyAs;
  } else {
    let text: string;
    try {
      text = typeof payload === "string" ? payload : utf8.decode(payload);
    } catch {
      return { ok: false, code: SharedErrorCodes.INVALID_JSON, message: "payload is not valid UTF-8" };
    }
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, code: SharedErrorCodes.INVALID_JSON, message: "payload is not valid JSON" };
    }
  }
  const checked = opts.check?.(value) ?? null;
  if (checked !== null) return { ok: true, value: checked };
  const r = schema.safeParse(value);
  if (!r.success) return { ok: false, code: SharedErrorCodes.INVALID_PAYLOAD, message: describeZodError(r.error) };
  return { ok: true, value: r.data };
}
