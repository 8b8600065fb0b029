import net from "node:net";
import { readIntoSharedBuffer } from "../../broker/dist/shared-read-buffer.js";

/**
 * The least a Node broker can spend per heartbeat on this machine: the broker tier's `floor`.
 * One `net` server with Nagle off, nothing else: no MQTT library, no authentication, no ACL, no
 * sessions, no keepalive timers, no QoS 1 or 2 state. What it does is what every broker must do
 * for a board's retained QoS 0 heartbeat (MQTT 3.1.1): frame the packets of each read (§2.2),
 * answer CONNECT, SUBSCRIBE, UNSUBSCRIBE and PINGREQ, read the PUBLISH's topic, keep the last
 * retained payload per topic (as bytes, by reference), match the topic against each subscriber's
 * filters (§4.7) and write the packet to the matching subscribers, the retain flag cleared
 * (§3.3.1.3). It reads each connection as our broker does: into one shared buffer, each read
 * handed straight to the framing (broker/src/shared-read-buffer.ts). Under it is only Node itself: the read of each chunk, the
 * callback into JS, the write. Measured beside mosquitto and our broker, it says how much of a ratio is the runtime's.
 */

const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const PINGRESP = Buffer.from([0xd0, 0x00]);

/** Whether `topic` matches `filter` (MQTT 3.1.1 §4.7: `+` one level, `#` the rest). */
export function topicMatches(filter, topic) {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length || (f[i] !== "+" && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** Reads one MQTT string (§1.5.3) at `o`: [text, next offset]. */
function readString(buf, o) {
  const n = buf.readUInt16BE(o);
  return [buf.toString("utf8", o + 2, o + 2 + n), o + 2 + n];
}

/** Starts the floor broker on 127.0.0.1; resolves to { port, close }. */
export async function startFloorBroker({ port = 0 } = {}) {
  const subscribers = new Set();
  const conns = new Set();
  const retained = new Map();

  const publish = (pkt, topicStart) => {
    const [topic] = readString(pkt, topicStart);
    if (pkt[0] & 0x01) retained.set(topic, pkt);
    let out = null;
    for (const s of subscribers) {
      if (!s.filters.some((f) => topicMatches(f, topic))) continue;
      if (out === null) {
        out = pkt;
        if (pkt[0] & 0x01) {
          out = Buffer.from(pkt);
          out[0] &= 0xfe;
        }
      }
      s.sock.write(out);
    }
  };

  const subscribe = (conn, pkt, bodyStart) => {
    const granted = [];
    let o = bodyStart + 2;
    while (o < pkt.length) {
      const [filter, next] = readString(pkt, o);
      conn.filters.push(filter);
      granted.push(0);
      o = next + 1;
    }
    subscribers.add(conn);
    conn.sock.write(Buffer.from([0x90, 2 + granted.length, pkt[bodyStart], pkt[bodyStart + 1], ...granted]));
  };

  /** One whole packet: its first byte, and where its variable header starts. */
  const handle = (conn, pkt, bodyStart) => {
    switch (pkt[0] >> 4) {
      case 1:
        conn.sock.write(CONNACK);
        break;
      case 3:
        publish(pkt, bodyStart);
        if ((pkt[0] & 0x06) === 0x02) {
          const idAt = bodyStart + 2 + pkt.readUInt16BE(bodyStart);
          conn.sock.write(Buffer.from([0x40, 0x02, pkt[idAt], pkt[idAt + 1]]));
        }
        break;
      case 8:
        subscribe(conn, pkt, bodyStart);
        break;
      case 10:
        conn.sock.write(Buffer.from([0xb0, 0x02, pkt[bodyStart], pkt[bodyStart + 1]]));
        break;
      case 12:
        conn.sock.write(PINGRESP);
        break;
      case 14:
        conn.sock.end();
        break;
    }
  };

  /** Frames the packets of `buf` (§2.2.3); returns the bytes of an unfinished packet, or null. */
  const frame = (conn, buf) => {
    let o = 0;
    while (o < buf.length) {
      let remaining = 0;
      let mul = 1;
      let i = o + 1;
      for (;;) {
        if (i >= buf.length) return buf.subarray(o);
        const b = buf[i++];
        remaining += (b & 0x7f) * mul;
        if ((b & 0x80) === 0) break;
        mul *= 0x80;
      }
      if (i + remaining > buf.length) return buf.subarray(o);
      handle(conn, o === 0 && i + remaining === buf.length ? buf : buf.subarray(o, i + remaining), i - o);
      o = i + remaining;
    }
    return null;
  };

  const server = net.createServer({ noDelay: true }, (sock) => {
    const conn = { sock, filters: [], partial: null };
    conns.add(conn);
    const take = (chunk) => {
      conn.partial = frame(conn, conn.partial === null ? chunk : Buffer.concat([conn.partial, chunk]));
      return true;
    };
    sock.on("data", take);
    readIntoSharedBuffer(sock, { sink: take });
    sock.on("error", () => {});
    sock.on("close", () => {
      subscribers.delete(conn);
      conns.delete(conn);
    });
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const c of conns) c.sock.destroy();
        server.close(() => resolve());
      }),
  };
}
