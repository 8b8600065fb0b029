/** The parts of a socket (or MQTT.js's `client.stream`) the writer needs. */
export interface PacketSink {
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean;
}

/**
 * QoS 0 PUBLISH packets (MQTT 3.1.1 §3.3: fixed header, remaining length, topic, payload; no
 * packet id) encoded into one reused buffer and handed to the socket in one write. MQTT.js's
 * publish builds a packet object, merges options and writes each packet as five corked chunks;
 * for the heartbeat, once a second for the life of a board, that was most of the agent's own
 * work per beat (CPU per heartbeat, BENCHMARKS.md §"Agent footprint"). The buffer is reused
 * only once the socket has let go of it (the write's callback); a packet written while it still
 * holds it gets a buffer of its own. Packets are whole, so they never interleave with MQTT.js's
 * own writes on the same socket (both write from this one thread).
 */
export function createQos0Writer(initialBytes = 2048) {
  let buf = Buffer.allocUnsafe(initialBytes);
  let held = false;
  const release = () => {
    held = false;
  };
  return {
    write(sink: PacketSink, topic: string, payload: string, retain: boolean): void {
      const topicBytes = Buffer.byteLength(topic);
      const rest = 2 + topicBytes + Buffer.byteLength(payload);
      const size = 1 + (rest < 128 ? 1 : rest < 16_384 ? 2 : rest < 2_097_152 ? 3 : 4) + rest;
      let out = buf;
      if (held || size > buf.length) {
        out = Buffer.allocUnsafe(Math.max(size, held ? 0 : buf.length * 2));
        if (!held) buf = out;
      }
      let o = 0;
      out[o++] = 0x30 | (retain ? 1 : 0);
      let r = rest;
      do {
        const digit = r % 128;
        r = Math.floor(r / 128);
        out[o++] = r > 0 ? digit | 0x80 : digit;
      } while (r > 0);
      out[o++] = topicBytes >> 8;
      out[o++] = topicBytes & 0xff;
      o += out.write(topic, o, "utf8");
      o += out.write(payload, o, "utf8");
      if (out === buf) {
        held = true;
        sink.write(out.subarray(0, o), release);
      } else {
        sink.write(out.subarray(0, o));
      }
    },
  };
}
