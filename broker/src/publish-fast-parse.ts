/**
 * A board's heartbeat reaches the broker as one QoS 0 PUBLISH per read, alone in its chunk.
 * mqtt-packet parses it through a buffer list (a copy or a slice per field read), a state machine
 * and ~15 `debug` calls, and then leaves a fresh, empty `Packet` on the parser for the next one;
 * that object lives a whole heartbeat period on each of 10,000 connections and is the largest
 * thing the broker promotes to its old generation (BENCHMARKS.md, "Broker tier: where our
 * broker's CPU goes"). The parse and the packet handling around it are a third of the broker's
 * time at 10,000 boards.
 *
 * `useFastPublishParse` parses exactly that case directly from the chunk: the parser idle, the
 * chunk one complete MQTT 3.1.1 PUBLISH of QoS 0 (§3.3), nothing before or after it. The packet
 * it emits is what mqtt-packet would emit for the same bytes (the same class, fields and values;
 * the payload a view of the chunk, as mqtt-packet's is), and the parser stays idle. Everything
 * else — other packets, QoS 1 and 2, several packets or part of one in a chunk, a topic longer
 * than the packet, MQTT 5 — goes to mqtt-packet's own parse, which also raises its errors.
 */

export interface PacketLike {
  cmd: string | null;
  retain: boolean;
  qos: number;
  dup: boolean;
  length: number;
  topic: string | null;
  payload: Buffer | null;
}

/** The parts of mqtt-packet's parser (mqtt-packet 9) this reads. */
export interface ParserLike {
  packet: PacketLike;
  error: unknown;
  _stateCounter: number;
  _list: { length: number };
  settings: { protocolVersion?: number } | null | undefined;
  parse: (this: ParserLike, buf: Buffer) => number;
  emit(event: "packet", packet: PacketLike): boolean;
}

/** The publish fixed header's type nibble (MQTT 3.1.1 §2.2.1) and its QoS bits (§3.3.1.2). */
const PUBLISH = 0x30;
const QOS_BITS = 0x06;

/**
 * The packet a chunk holding exactly one QoS 0 PUBLISH parses to, or null when the chunk is
 * anything else. `make` gives an empty packet of the parser's own class.
 */
export function parseLonePublish0(buf: Buffer, make: () => PacketLike): PacketLike | null {
  const first = buf[0];
  if (first === undefined || (first & 0xf0) !== PUBLISH || (first & QOS_BITS) !== 0) return null;
  // Remaining length (§2.2.3): up to four bytes, each carrying seven bits.
  let remaining = 0;
  let mul = 1;
  let i = 1;
  for (;;) {
    const b = buf[i];
    if (b === undefined || i > 4) return null;
    i++;
    remaining += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    mul *= 0x80;
  }
  if (i + remaining !== buf.length || remaining < 2) return null;
  const topicBytes = (buf[i]! << 8) | buf[i + 1]!;
  const topicEnd = i + 2 + topicBytes;
  if (2 + topicBytes > remaining) return null;
  const p = make();
  p.cmd = "publish";
  p.retain = (first & 0x01) !== 0;
  p.qos = 0;
  p.dup = (first & 0x08) !== 0;
  p.length = remaining;
  p.topic = buf.toString("utf8", i + 2, topicEnd);
  p.payload = buf.subarray(topicEnd, buf.length);
  return p;
}

/** Takes the lone-PUBLISH fast path on this parser (call once the CONNECT has been parsed). */
export function useFastPublishParse(parser: ParserLike): void {
  const parse = parser.parse;
  const Packet = parser.packet.constructor as new () => PacketLike;
  const make = () => new Packet();
  parser.parse = function fastParse(this: ParserLike, buf: Buffer): number {
    const idle = this.error === null && this._stateCounter === 0 && this._list.length === 0 && this.packet.cmd === null && this.settings?.protocolVersion !== 5;
    const packet = idle ? parseLonePublish0(buf, make) : null;
    if (packet === null) return parse.call(this, buf);
    this.emit("packet", packet);
    return 0;
  };
}
