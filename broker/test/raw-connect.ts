import { connect } from "node:net";

function str(s: string): Buffer {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

/** The variable-length "remaining length" of an MQTT fixed header (MQTT-2.2.3). */
export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** An MQTT 3.1.1 CONNECT built by hand: MQTT.js refuses an empty client id without a clean session. */
export function connectPacket(o: {
  clientId: string;
  clean: boolean;
  username?: string;
  password?: string;
  keepaliveS?: number;
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
}): Buffer {
  const willFlags = o.will ? 0x04 | (o.will.qos << 3) | (o.will.retain ? 0x20 : 0) : 0;
  const flags = (o.username !== undefined ? 0x80 : 0) | (o.password !== undefined ? 0x40 : 0) | willFlags | (o.clean ? 0x02 : 0);
  const keepalive = o.keepaliveS ?? 30;
  const body = Buffer.concat([
    str("MQTT"),
    Buffer.from([4, flags, keepalive >> 8, keepalive & 0xff]),
    str(o.clientId),
    ...(o.will ? [str(o.will.topic), str(o.will.payload)] : []),
    ...(o.username !== undefined ? [str(o.username)] : []),
    ...(o.password !== undefined ? [str(o.password)] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** Sends one CONNECT; resolves with the CONNACK return code (null: none) and whether the server closed within `waitMs`. */
export function rawConnect(
  port: number,
  o: Parameters<typeof connectPacket>[0],
  waitMs = 3000,
): Promise<{ returnCode: number | null; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    let returnCode: number | null = null;
    let buf = Buffer.alloc(0);
    const done = (closed: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve({ returnCode, closed });
    };
    const t = setTimeout(() => done(false), waitMs);
    s.on("connect", () => s.write(connectPacket(o)));
    s.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (returnCode === null && buf.length >= 4 && buf[0] === 0x20) returnCode = buf[3] ?? null;
      // Accepted: the server keeps the connection; no need to wait for a close.
      if (returnCode === 0) done(false);
    });
    s.on("error", () => undefined);
    s.on("close", () => done(true));
  });
}
