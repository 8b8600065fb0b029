import type { Duplex } from "node:stream";

/**
 * Follows the MQTT framing of an inbound byte stream (fixed header byte, Remaining Length
 * varint, body) across chunk boundaries and reports the first packet whose total size
 * (fixed header + remaining length) exceeds maxBytes. Returns 0 while all is well, else that
 * size. Neither Aedes nor mqtt-packet has a packet size limit for MQTT 3.1.1: the parser
 * buffers a whole packet before anything looks at its length, so the guard must sit in front.
 */
export function createFrameMeter(maxBytes: number): (chunk: Uint8Array) => number {
  let state = 0; // 0 fixed header, 1 remaining length, 2 body, 3 malformed: left to the parser
  let remaining = 0;
  let multiplier = 1;
  let lenBytes = 0;
  return (chunk) => {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (state === 2) {
        const skip = Math.min(remaining, n - i);
        i += skip;
        remaining -= skip;
        if (remaining === 0) state = 0;
      } else if (state === 0) {
        i++;
        state = 1;
        remaining = 0;
        multiplier = 1;
        lenBytes = 0;
      } else if (state === 1) {
        const b = chunk[i++] as number;
        remaining += (b & 0x7f) * multiplier;
        multiplier *= 128;
        lenBytes++;
        const total = 1 + lenBytes + remaining;
        if (total > maxBytes) return total;
        if ((b & 0x80) === 0) state = remaining > 0 ? 2 : 0;
        else if (lenBytes === 4) state = 3; // MQTT-2.2.3: at most 4 bytes; mqtt-packet rejects it
      } else {
        return 0;
      }
    }
    return 0;
  };
}

/** The guard of each guarded stream: false once the stream has sent an oversize packet. */
const guards = new WeakMap<Duplex, (chunk: Uint8Array) => boolean>();

/**
 * Puts the meter in front of a connection's readable side. A second stream in between would
 * cost a copy and a stream hop per message on the hot path, whether the connection is read in
 * paused mode (Aedes, WebSocket) or flowing (`flowing-read.ts`, TCP and TLS); instead the stream's own `push` — the single
 * entry of bytes into its readable buffer, used by net/tls sockets and by ws's
 * createWebSocketStream alike — is wrapped for this one instance. A reader that takes a socket's
 * bytes before `push` (`shared-read-buffer.ts`) asks `admitChunk` first. An oversize packet is
 * never buffered: the connection is reported and destroyed at its first header bytes.
 */
export function guardPacketSize(stream: Duplex, maxBytes: number, onTooLarge: (size: number) => void): void {
  const meter = createFrameMeter(maxBytes);
  let tripped = false;
  const admit = (chunk: Uint8Array): boolean => {
    if (tripped) return false;
    const size = meter(chunk);
    if (size === 0) return true;
    tripped = true;
    onTooLarge(size);
    stream.destroy();
    return false;
  };
  guards.set(stream, admit);
  const push = stream.push.bind(stream);
  stream.push = function guardedPush(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk instanceof Uint8Array ? !admit(chunk) : tripped) return false;
    return push(chunk, encoding);
  };
}

/**
 * Whether `chunk`, the next bytes of `stream` taken before its `push`, may be handled: true
 * for a stream without a guard; false (the stream reported and destroyed) from the first oversize
 * packet on. The same meter as the stream's `push` follows both, in the order the bytes came.
 */
export function admitChunk(stream: Duplex, chunk: Uint8Array): boolean {
  const admit = guards.get(stream);
  return admit === undefined || admit(chunk);
}
