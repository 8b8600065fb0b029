import { Dbr, EPICS_EPOCH_S, MAX_STRING_SIZE } from "../../src/epics/dbr.js";

/**
 * Server-side DBR encoding for the test CA server: every plain type in its plain, STS, TIME,
 * GR and CTRL form (EPICS base db_access.h layouts), so libca clients (pyepics) can ask for
 * whatever they like.
 */

type Part = { size: number; write: (b: Buffer, at: number) => void };
const i16 = (v: number): Part => ({ size: 2, write: (b, at) => b.writeInt16BE(v, at) });
const i32 = (v: number): Part => ({ size: 4, write: (b, at) => b.writeInt32BE(v, at) });
const u32 = (v: number): Part => ({ size: 4, write: (b, at) => b.writeUInt32BE(v >>> 0, at) });
const bytes = (n: number, text = ""): Part => ({ size: n, write: (b, at) => void b.write(text.slice(0, n - 1), at, "latin1") });

function valuePart(plain: number, v: number | string): Part {
  const n = typeof v === "number" ? v : Number(v) || 0;
  switch (plain) {
    case Dbr.STRING:
      return bytes(MAX_STRING_SIZE, String(v));
    case Dbr.SHORT:
      return i16(Math.trunc(n) << 16 >> 16);
    case Dbr.ENUM:
      return { size: 2, write: (b, at) => b.writeUInt16BE(Math.trunc(n) & 0xffff, at) };
    case Dbr.FLOAT:
      return { size: 4, write: (b, at) => b.writeFloatBE(n, at) };
    case Dbr.CHAR:
      return { size: 1, write: (b, at) => b.writeUInt8(Math.trunc(n) & 0xff, at) };
    case Dbr.LONG:
      return i32(Math.trunc(n) | 0);
    default:
      return { size: 8, write: (b, at) => b.writeDoubleBE(n, at) };
  }
}

/** A limit of the type's own width (GR/CTRL display, alarm and control limits). */
function limitPart(plain: number, v: number): Part {
  switch (plain) {
    case Dbr.SHORT:
      return i16(v);
    case Dbr.FLOAT:
      return { size: 4, write: (b, at) => b.writeFloatBE(v, at) };
    case Dbr.CHAR:
      return { size: 1, write: (b, at) => b.writeUInt8(v & 0xff, at) };
    case Dbr.LONG:
      return i32(v);
    default:
      return { size: 8, write: (b, at) => b.writeDoubleBE(v, at) };
  }
}

/** RISC padding between the fixed fields and the value, per type and form (db_access.h). */
const PAD: Record<string, number> = { "sts:4": 1, "sts:6": 4, "time:1": 2, "time:3": 2, "time:4": 3, "time:6": 4, "gr:4": 1, "ctrl:4": 1 };

export function encodeDbr(dataType: number, value: number | string, stampMs: number, units = ""): Buffer | null {
  if (dataType > 34) return null;
  const plain = dataType % 7;
  const form = ["plain", "sts", "time", "gr", "ctrl"][Math.floor(dataType / 7)] ?? "plain";
  const parts: Part[] = [];
  if (form !== "plain") parts.push(i16(0), i16(0)); // status NO_ALARM, severity NO_ALARM
  if (form === "time") {
    const sec = Math.floor(stampMs / 1000) - EPICS_EPOCH_S;
    parts.push(u32(sec), u32((stampMs % 1000) * 1e6));
  }
  if ((form === "gr" || form === "ctrl") && plain !== Dbr.STRING) {
    if (plain === Dbr.ENUM) {
      parts.push(i16(0), bytes(16 * 26));
    } else {
      if (plain === Dbr.FLOAT || plain === Dbr.DOUBLE) parts.push(i16(plain === Dbr.DOUBLE ? 3 : 2), i16(0));
      parts.push(bytes(8, units));
      const limits = form === "gr" ? 6 : 8;
      for (let i = 0; i < limits; i++) parts.push(limitPart(plain, i % 2 === 0 ? 1000 : 0));
    }
  }
  const pad = PAD[`${form}:${plain}`] ?? 0;
  if (pad > 0) parts.push(bytes(pad));
  parts.push(valuePart(plain, value));
  const size = parts.reduce((s, p) => s + p.size, 0);
  const b = Buffer.alloc(size);
  let at = 0;
  for (const p of parts) {
    p.write(b, at);
    at += p.size;
  }
  return b;
}
