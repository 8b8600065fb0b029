/**
 * Channel Access wire format (docs/epics.md §"Channel Access"): 16-byte big-endian headers,
 * payloads padded to 8 bytes, the extended header for payloads of 0xffff bytes or more.
 * Shared by the agent's client and the test CA server.
 */

export const CA_MINOR_VERSION = 13;
export const CA_DEFAULT_SERVER_PORT = 5064;

export const CaCmd = {
  VERSION: 0,
  EVENT_ADD: 1,
  EVENT_CANCEL: 2,
  SEARCH: 6,
  EVENTS_OFF: 8,
  EVENTS_ON: 9,
  ERROR: 11,
  CLEAR_CHANNEL: 12,
  NOT_FOUND: 14,
  READ_NOTIFY: 15,
  CREATE_CHAN: 18,
  CLIENT_NAME: 20,
  HOST_NAME: 21,
  ACCESS_RIGHTS: 22,
  ECHO: 23,
  CREATE_CH_FAIL: 26,
  SERVER_DISCONN: 27,
} as const;

/** Search flag: a server that does not know the name stays quiet (UDP). */
export const DONT_REPLY = 5;
export const ECA_NORMAL = 1;
/** EVENT_ADD mask: value changes and alarms (DBE_VALUE | DBE_ALARM). */
export const DBE_VALUE_ALARM = 1 | 4;

export interface CaMessage {
  cmd: number;
  dataType: number;
  count: number;
  p1: number;
  p2: number;
  payload: Buffer;
}

const pad8 = (n: number) => (n + 7) & ~7;

export function encode(m: Omit<CaMessage, "payload"> & { payload?: Buffer }): Buffer {
  const body = m.payload ?? Buffer.alloc(0);
  const size = pad8(body.length);
  const extended = size >= 0xffff || m.count >= 0xffff;
  const head = Buffer.alloc(extended ? 24 : 16);
  head.writeUInt16BE(m.cmd, 0);
  head.writeUInt16BE(extended ? 0xffff : size, 2);
  head.writeUInt16BE(m.dataType, 4);
  head.writeUInt16BE(extended ? 0 : m.count, 6);
  head.writeUInt32BE(m.p1 >>> 0, 8);
  head.writeUInt32BE(m.p2 >>> 0, 12);
  if (extended) {
    head.writeUInt32BE(size, 16);
    head.writeUInt32BE(m.count, 20);
  }
  const padded = Buffer.alloc(size);
  body.copy(padded);
  return Buffer.concat([head, padded]);
}

/** A NUL-terminated string, padded to 8 bytes (channel, client and host names). */
export const stringPayload = (s: string): Buffer => Buffer.from(`${s}\0`, "latin1");

export function readCString(b: Buffer, offset = 0, max = b.length - offset): string {
  const end = b.indexOf(0, offset);
  return b.toString("latin1", offset, end < 0 || end > offset + max ? offset + max : end);
}

/** Splits a byte stream (TCP) or one datagram (UDP) into messages; a partial tail waits for more. */
export function createFramer(maxPayload = 1 << 20) {
  let buf: Buffer = Buffer.alloc(0);
  return {
    push(chunk: Buffer): CaMessage[] {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const out: CaMessage[] = [];
      for (;;) {
        if (buf.length < 16) break;
        let size = buf.readUInt16BE(2);
        let count = buf.readUInt16BE(6);
        let head = 16;
        if (size === 0xffff) {
          if (buf.length < 24) break;
          size = buf.readUInt32BE(16);
          count = buf.readUInt32BE(20);
          head = 24;
        }
        if (size > maxPayload) throw new Error(`CA payload of ${size} bytes exceeds ${maxPayload}`);
        if (buf.length < head + size) break;
        out.push({
          cmd: buf.readUInt16BE(0),
          dataType: buf.readUInt16BE(4),
          count,
          p1: buf.readUInt32BE(8),
          p2: buf.readUInt32BE(12),
          payload: buf.subarray(head, head + size),
        });
        buf = buf.subarray(head + size);
      }
      return out;
    },
  };
}

/** `a.b.c.d:port` of a search reply: the address field, or the sender's when it says 0xffffffff. */
export function serverAddress(reply: CaMessage, senderIp: string): { host: string; port: number } {
  const ip = reply.p1 >>> 0;
  const host =
    ip === 0xffffffff || ip === 0 ? senderIp : [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
  return { host, port: reply.dataType };
}
