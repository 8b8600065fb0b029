/**
 * bbb-daemon's command framing on the board's TCP 9877 (docs/legacy-protocols.md "bbb-daemon
 * commands"): a 4-byte big-endian code, then per argument a 4-byte big-endian length and a
 * pickle of a plain string in its smallest form, `X` + UTF-8 length (LE32) + UTF-8 + `.`.
 * Only strings are ever written: the board unpickles what it receives.
 */
export const DAEMON_CODES = { reboot: 1, "set-ip": 17, "set-hostname": 18, "set-nameservers": 19 } as const;
export type DaemonAction = keyof typeof DAEMON_CODES;

export function pickleString(s: string): Buffer {
  const utf8 = Buffer.from(s, "utf8");
  const head = Buffer.alloc(5);
  head.write("X", 0, "latin1");
  head.writeUInt32LE(utf8.length, 1);
  return Buffer.concat([head, utf8, Buffer.from(".", "latin1")]);
}

export function daemonFrame(code: number, args: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  const c = Buffer.alloc(4);
  c.writeUInt32BE(code, 0);
  parts.push(c);
  for (const a of args) {
    const p = pickleString(a);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(p.length, 0);
    parts.push(len, p);
  }
  return Buffer.concat(parts);
}

/** Reads a frame back (the test board's side); null when it is not one of ours. */
export function readDaemonFrame(buf: Buffer): { code: number; args: string[] } | null {
  if (buf.length < 4) return null;
  const code = buf.readUInt32BE(0);
  const args: string[] = [];
  let at = 4;
  while (at < buf.length) {
    if (at + 4 > buf.length) return null;
    const len = buf.readUInt32BE(at);
    at += 4;
    if (at + len > buf.length || len < 6 || buf[at] !== 0x58 || buf[at + len - 1] !== 0x2e) return null;
    const n = buf.readUInt32LE(at + 1);
    if (n !== len - 6) return null;
    args.push(buf.subarray(at + 5, at + 5 + n).toString("utf8"));
    at += len;
  }
  return { code, args };
}
