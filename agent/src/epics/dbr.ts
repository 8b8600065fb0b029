/**
 * DBR value types of Channel Access (docs/epics.md §"Channel Access"): the plain types 0..6 and
 * their TIME_ forms (14 + type), which carry status, severity and the record's timestamp.
 */
export const Dbr = { STRING: 0, SHORT: 1, FLOAT: 2, ENUM: 3, CHAR: 4, LONG: 5, DOUBLE: 6 } as const;
export const DBR_TIME_OFFSET = 14;
export const MAX_STRING_SIZE = 40;
/** Seconds from the POSIX epoch to the EPICS epoch (1990-01-01 UTC). */
export const EPICS_EPOCH_S = 631_152_000;

export interface DbrValue {
  value: string;
  /** The record's timestamp (POSIX ms), null for a plain type. */
  stampMs: number | null;
  severity: number | null;
}

/** The TIME_ type a client asks for to read a channel of native type `native` (plain types only). */
export function timeTypeOf(native: number): number {
  return native >= 0 && native <= 6 ? native + DBR_TIME_OFFSET : DBR_TIME_OFFSET + Dbr.STRING;
}

function plainValue(type: number, b: Buffer, at: number): string | null {
  switch (type) {
    case Dbr.STRING: {
      const end = b.indexOf(0, at);
      return b.toString("latin1", at, Math.min(end < 0 ? b.length : end, at + MAX_STRING_SIZE));
    }
    case Dbr.SHORT:
      return b.length >= at + 2 ? String(b.readInt16BE(at)) : null;
    case Dbr.ENUM:
      return b.length >= at + 2 ? String(b.readUInt16BE(at)) : null;
    case Dbr.FLOAT:
      return b.length >= at + 4 ? String(b.readFloatBE(at)) : null;
    case Dbr.CHAR:
      return b.length >= at + 1 ? String(b.readUInt8(at)) : null;
    case Dbr.LONG:
      return b.length >= at + 4 ? String(b.readInt32BE(at)) : null;
    case Dbr.DOUBLE:
      return b.length >= at + 8 ? String(b.readDoubleBE(at)) : null;
    default:
      return null;
  }
}

/** Offset of the value in a TIME_ payload: the 12-byte head plus each type's RISC padding. */
const TIME_VALUE_AT: Readonly<Record<number, number>> = { 0: 12, 1: 14, 2: 12, 3: 14, 4: 15, 5: 12, 6: 16 };

/** First element of a plain or TIME_ payload as text; null for a type it does not know or a short payload. */
export function decodeDbr(dataType: number, b: Buffer): DbrValue | null {
  if (dataType <= 6) {
    const v = plainValue(dataType, b, 0);
    return v === null ? null : { value: v, stampMs: null, severity: null };
  }
  const plain = dataType - DBR_TIME_OFFSET;
  const at = TIME_VALUE_AT[plain];
  if (at === undefined || b.length < 12) return null;
  const v = plainValue(plain, b, at);
  if (v === null) return null;
  const sec = b.readUInt32BE(4);
  const nsec = b.readUInt32BE(8);
  return {
    value: v.slice(0, MAX_STRING_SIZE),
    stampMs: (sec + EPICS_EPOCH_S) * 1000 + Math.floor(nsec / 1e6),
    severity: b.readInt16BE(2),
  };
}
