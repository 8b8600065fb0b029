import { decode } from "@msgpack/msgpack";
import { z } from "zod";
import { daemonChecksum } from "./daemon-checksum.js";
import { pyRepr } from "./py-repr.js";

/** The old listener read at most this much of a datagram (docs/legacy-protocols.md). */
export const MAX_PING_BYTES = 1024;

const text = z.string().max(512);
const int = z.number().int();
/** The `n` map of a bbb-daemon ping; unknown keys are kept, since they are part of the checksum. */
export const daemonNodeSchema = z.looseObject({
  name: text,
  ip_address: text,
  state: z.union([int, text]).optional(),
  state_string: text.optional(),
  type: z.union([int, text]).optional(),
  sector: z.union([int, text]).optional(),
  counter: int.optional(),
  details: text.optional(),
  config_time: z.union([text, z.number()]).optional(),
});
export type DaemonNode = z.infer<typeof daemonNodeSchema>;

const pingSchema = z.object({
  chk: int.min(0).max(0xffff),
  payload: z.object({ comm: int, n: daemonNodeSchema }).loose(),
});

export type DropReason = "oversized" | "decode" | "shape" | "checksum";
export type PingParse =
  { ok: true; node: DaemonNode; comm: number } | { ok: false; reason: DropReason; detail: string };

const decodeOptions = {
  maxStrLength: MAX_PING_BYTES,
  maxBinLength: MAX_PING_BYTES,
  maxArrayLength: 64,
  maxMapLength: 64,
  maxExtLength: 0,
  // Python's text of a dict with a non-string key differs from JS's: such pings cannot be verified.
  mapKeyConverter: (k: unknown) => {
    if (typeof k !== "string") throw new TypeError("map key is not a string");
    return k;
  },
};

/**
 * One UDP datagram of bbb-daemon (docs/legacy-protocols.md "bbb-daemon ping"): msgpack
 * `{chk, payload: {comm, n: {...}}}`, accepted only if `chk` matches the checksum of the
 * payload's Python text. Nothing here is ever unpickled or evaluated.
 */
export function parseDaemonPing(buf: Uint8Array): PingParse {
  if (buf.length > MAX_PING_BYTES) return { ok: false, reason: "oversized", detail: `${buf.length} bytes` };
  let raw: unknown;
  try {
    raw = decode(buf, decodeOptions);
  } catch (err: unknown) {
    return { ok: false, reason: "decode", detail: err instanceof Error ? err.message : String(err) };
  }
  const r = pingSchema.safeParse(raw);
  if (!r.success) return { ok: false, reason: "shape", detail: r.error.issues[0]?.message ?? "bad ping" };
  const payload = (raw as { payload: unknown }).payload;
  const sum = daemonChecksum(Buffer.from(pyRepr(payload), "utf8"));
  if (sum !== r.data.chk)
    return { ok: false, reason: "checksum", detail: `chk ${r.data.chk.toString(16)}, computed ${sum.toString(16)}` };
  return { ok: true, node: r.data.payload.n, comm: r.data.payload.comm };
}
