/**
 * Stand-ins for the old daemons, written from docs/legacy-protocols.md without the bridge's
 * code: a bbb-daemon ping encoder (own msgpack writer, own Python text, own quirky checksum).
 */

/** A msgpack writer for what bbb-daemon sends: maps, strings, small ints (Python's msgpack, use_bin_type). */
export function packMsgpack(v: unknown): Buffer {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) {
    if (v < 128) return Buffer.from([v]);
    if (v < 256) return Buffer.from([0xcc, v]);
    if (v < 65536) return Buffer.from([0xcd, v >> 8, v & 255]);
    const b = Buffer.alloc(5);
    b[0] = 0xce;
    b.writeUInt32BE(v, 1);
    return b;
  }
  if (typeof v === "string") {
    const s = Buffer.from(v, "utf8");
    const head =
      s.length < 32
        ? Buffer.from([0xa0 | s.length])
        : s.length < 256
          ? Buffer.from([0xd9, s.length])
          : Buffer.from([0xda, s.length >> 8, s.length & 255]);
    return Buffer.concat([head, s]);
  }
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v);
    const head = entries.length < 16 ? Buffer.from([0x80 | entries.length]) : Buffer.from([0xde, 0, entries.length]);
    return Buffer.concat([head, ...entries.flatMap(([k, x]) => [packMsgpack(k), packMsgpack(x)])]);
  }
  throw new Error(`peer cannot pack ${typeof v}`);
}

/** Python's str() for what a ping holds: dicts, non-negative ints, plain strings. */
export function pythonText(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replaceAll("\\", "\\\\").replaceAll("\t", "\\t").replaceAll("\n", "\\n").replaceAll(q, `\\${q}`);
    return q + body + q;
  }
  const o = v as Record<string, unknown>;
  return (
    "{" +
    Object.keys(o)
      .map((k) => `${pythonText(k)}: ${pythonText(o[k])}`)
      .join(", ") +
    "}"
  );
}

/** The original listener's sum, written the way the old Python did it: text characters, odd tail as digits. */
export function oldDaemonChecksum(text: string): number {
  const b = Buffer.from(text, "utf8");
  let s = 0;
  let i = 0;
  for (; i + 1 < b.length; i += 2) s += (b[i] as number) * 256 + (b[i + 1] as number);
  if (i < b.length) for (const c of String(b[i])) s += c.charCodeAt(0) * 256;
  s = (s >> 16) + (s & 0xffff);
  s += s >> 16;
  return ~s & 0xffff;
}

export interface PingNode {
  name: string;
  ip_address: string;
  state: number;
  state_string: string;
  type: number;
  sector: string;
  counter: number;
  details: string;
  config_time: string;
}

/** One ping datagram as bbb-daemon sends it; `badChecksum` flips the sum. */
export function pingDatagram(n: PingNode, badChecksum = false): Buffer {
  const payload = { comm: 0, n: { ...n } };
  const chk = oldDaemonChecksum(pythonText(payload)) ^ (badChecksum ? 0x0101 : 0);
  return packMsgpack({ chk, payload });
}
