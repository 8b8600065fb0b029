/**
 * The frames replicas of the clustered tier send each other through Redis
 * (docs/architecture.md §"Routing between replicas"). A message frame carries one Aedes packet,
 * binary so that a payload crosses without being copied into text; a control frame carries the
 * routing table's changes as JSON.
 */

/** What crosses between replicas of an Aedes packet (aedes-packet's fields, plus the publisher's id). */
export interface RoutedPacket {
  cmd: "publish";
  topic: string;
  payload: Buffer | string;
  qos: number;
  retain: boolean;
  dup: boolean;
  brokerId: string;
  brokerCounter: number;
  messageId?: number;
  clientId?: string;
}

/**
 * S: the sender's whole filter set, replacing what the receiver held (`ask`: send me yours);
 * +/-: a filter the sender's clients started or stopped using; B: the sender lives;
 * Q: the sender stops.
 */
export type ControlFrame =
  | { k: "S"; from: string; filters: string[]; ask?: true }
  | { k: "+" | "-"; from: string; filter: string }
  | { k: "B" | "Q"; from: string };

const MESSAGE = 0x4d; // "M"
const CONTROL = 0x43; // "C"
const RETAIN = 1;
const DUP = 2;
const TEXT = 4;
const CLIENT = 8;
const MESSAGE_ID = 16;
const FIXED = 11; // type, flags, qos, brokerCounter (float64)

function field(s: string): Buffer {
  const b = Buffer.from(s, "utf8");
  if (b.length > 0xffff) throw new RangeError(`a field of ${b.length} bytes does not fit a frame`);
  const out = Buffer.allocUnsafe(2 + b.length);
  out.writeUInt16BE(b.length, 0);
  b.copy(out, 2);
  return out;
}

export function encodeMessage(p: RoutedPacket): Buffer {
  const text = typeof p.payload === "string";
  const flags = (p.retain ? RETAIN : 0) | (p.dup ? DUP : 0) | (text ? TEXT : 0) | (p.clientId !== undefined ? CLIENT : 0) | (p.messageId !== undefined ? MESSAGE_ID : 0);
  const head = Buffer.allocUnsafe(FIXED);
  head[0] = MESSAGE;
  head[1] = flags;
  head[2] = p.qos;
  head.writeDoubleBE(p.brokerCounter, 3);
  const parts = [head, field(p.topic), field(p.brokerId)];
  if (p.clientId !== undefined) parts.push(field(p.clientId));
  if (p.messageId !== undefined) {
    const id = Buffer.allocUnsafe(2);
    id.writeUInt16BE(p.messageId & 0xffff, 0);
    parts.push(id);
  }
  parts.push(text ? Buffer.from(p.payload as string, "utf8") : (p.payload as Buffer));
  return Buffer.concat(parts);
}

export function encodeControl(f: ControlFrame): Buffer {
  const json = Buffer.from(JSON.stringify(f), "utf8");
  const out = Buffer.allocUnsafe(1 + json.length);
  out[0] = CONTROL;
  json.copy(out, 1);
  return out;
}

export type Frame = { type: "message"; packet: RoutedPacket } | { type: "control"; frame: ControlFrame };

function isControl(v: unknown): v is ControlFrame {
  if (typeof v !== "object" || v === null) return false;
  const f = v as Record<string, unknown>;
  if (typeof f.from !== "string" || f.from === "") return false;
  switch (f.k) {
    case "S":
      return Array.isArray(f.filters) && f.filters.every((x) => typeof x === "string" && x !== "");
    case "+":
    case "-":
      return typeof f.filter === "string" && f.filter !== "";
    case "B":
    case "Q":
      return true;
    default:
      return false;
  }
}

/** Decodes a frame; throws a RangeError on anything that is not a whole, valid frame. */
export function decodeFrame(b: Buffer): Frame {
  if (b.length === 0) throw new RangeError("empty frame");
  if (b[0] === CONTROL) {
    const v: unknown = JSON.parse(b.subarray(1).toString("utf8"));
    if (!isControl(v)) throw new RangeError("malformed control frame");
    return { type: "control", frame: v };
  }
  if (b[0] !== MESSAGE || b.length < FIXED) throw new RangeError("unknown frame");
  const flags = b[1] as number;
  let at = FIXED;
  const str = (): string => {
    if (at + 2 > b.length) throw new RangeError("truncated frame");
    const n = b.readUInt16BE(at);
    if (at + 2 + n > b.length) throw new RangeError("truncated frame");
    const s = b.toString("utf8", at + 2, at + 2 + n);
    at += 2 + n;
    return s;
  };
  const topic = str();
  const brokerId = str();
  const packet: RoutedPacket = { cmd: "publish", topic, brokerId, brokerCounter: b.readDoubleBE(3), qos: b[2] as number, retain: (flags & RETAIN) !== 0, dup: (flags & DUP) !== 0, payload: "" };
  if (flags & CLIENT) packet.clientId = str();
  if (flags & MESSAGE_ID) {
    if (at + 2 > b.length) throw new RangeError("truncated frame");
    packet.messageId = b.readUInt16BE(at);
    at += 2;
  }
  // A copy: the frame's buffer is Redis's read buffer, and a payload may be kept (retained, queued).
  packet.payload = flags & TEXT ? b.toString("utf8", at) : Buffer.from(b.subarray(at));
  return { type: "message", packet };
}
