import type { Writable } from "node:stream";

/**
 * QoS 0 deliveries written straight to the subscriber's connection.
 *
 * Aedes delivers every QoS 0 message to every subscriber in a `setImmediate` of its own, makes a
 * `Packet` copy for it and has mqtt-packet write the PUBLISH as five chunks (header, length,
 * topic length, topic, payload). A subscriber of all heartbeats pays that 10,000 times a second:
 * a third of the broker's garbage and a fifth of its time (BENCHMARKS.md, "Broker tier: where our
 * broker's CPU goes"). Here the PUBLISH is encoded once per message into one buffer, the same
 * bytes go to every subscriber of that message, and the write happens in the delivery itself;
 * write-batching.ts still merges a turn's writes to one connection into one `writev`.
 *
 * On the wire nothing changes: the bytes are those mqtt-packet writes for MQTT 3.1.1 (§3.3.1:
 * QoS 0, no packet identifier, DUP and RETAIN as the packet to forward says). Whatever this does
 * not handle goes to Aedes' own delivery unchanged: a client that is neither connecting nor
 * connected (Aedes' "connection closed" path), MQTT 5 clients, messages still carrying a broker id
 * (Aedes' own duplicate check has to see them: exact-dedupe.ts clears it first on every client),
 * no-local messages, and topics or payloads of a shape mqtt-packet would refuse.
 */

export interface ForwardPacket {
  topic: unknown;
  payload?: unknown;
  retain?: boolean;
  dup?: boolean;
  brokerId?: string | null;
  brokerCounter?: number;
  clientId?: string;
  nl?: boolean;
}
type Deliver = (packet: ForwardPacket, cb: () => void) => void;

/** The parts of an Aedes client the direct path uses. */
export interface DirectClient {
  id: string;
  version?: number | null;
  connected?: boolean;
  connecting?: boolean;
  errored?: boolean;
  conn: Pick<Writable, "cork" | "uncork" | "write">;
  broker: { authorizeForward(client: never, packet: ForwardPacket): ForwardPacket | null | undefined | false };
  deliver0: Deliver;
  waitForDrain(callback: (err?: Error | null) => void): void;
  _onError(err?: Error | null): void;
}

/** MQTT 3.1.1 §2.2.3: the remaining length is at most four bytes. */
const MAX_REMAINING = 268_435_455;
const MAX_TOPIC_BYTES = 65_535;

/** The PUBLISH (QoS 0, MQTT 3.1.1 §3.3) of a topic and payload, as one buffer. */
export function encodePublish0(topic: string, payload: Buffer | string, retain: boolean, dup: boolean): Buffer | null {
  const topicBytes = Buffer.byteLength(topic);
  const payloadBytes = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  const remaining = 2 + topicBytes + payloadBytes;
  if (topicBytes > MAX_TOPIC_BYTES || remaining > MAX_REMAINING) return null;
  const lengthBytes = remaining < 0x80 ? 1 : remaining < 0x4000 ? 2 : remaining < 0x200000 ? 3 : 4;
  const out = Buffer.allocUnsafe(1 + lengthBytes + remaining);
  out[0] = 0x30 | (dup ? 0x08 : 0) | (retain ? 0x01 : 0);
  let i = 1;
  let n = remaining;
  do {
    const digit = n & 0x7f;
    n >>>= 7;
    out[i++] = n > 0 ? digit | 0x80 : digit;
  } while (n > 0);
  out[i++] = topicBytes >> 8;
  out[i++] = topicBytes & 0xff;
  i += out.write(topic, i, "utf8");
  if (typeof payload === "string") out.write(payload, i, "utf8");
  else payload.copy(out, i);
  return out;
}

/**
 * One encoding shared by the subscribers of a message: Aedes hands a message to its subscribers
 * one after the other, each with a copy of the packet that shares its topic and payload. The key
 * is the broker's counter of the message together with the very payload object and topic, so a
 * payload buffer reused by its publisher for a later message is never served from the cache.
 */
export function createSharedEncoder(encode: typeof encodePublish0 = encodePublish0) {
  let counter: number | undefined;
  let topic: string | undefined;
  let payload: Buffer | string | undefined;
  let flags = -1;
  let bytes: Buffer | null = null;
  return function encoded(p: { topic: string; payload: Buffer | string; retain: boolean; dup: boolean; brokerCounter?: number }): Buffer | null {
    const f = (p.dup ? 2 : 0) | (p.retain ? 1 : 0);
    if (bytes !== null && p.brokerCounter !== undefined && p.brokerCounter === counter && p.payload === payload && p.topic === topic && f === flags) return bytes;
    bytes = encode(p.topic, p.payload, p.retain, p.dup);
    counter = p.brokerCounter;
    topic = p.topic;
    payload = p.payload;
    flags = f;
    return bytes;
  };
}

const isPayload = (p: unknown): p is Buffer | string | undefined | null => p === undefined || p === null || typeof p === "string" || Buffer.isBuffer(p);
const EMPTY = Buffer.alloc(0);

/**
 * Replaces the client's QoS 0 delivery (call at the CONNECT's first hook, before exact-dedupe.ts
 * wraps it: Aedes' subscriptions capture the delivery function when they are made).
 */
export function useDirectQoS0(client: DirectClient, encoded: ReturnType<typeof createSharedEncoder>): void {
  const viaAedes = client.deliver0;
  client.deliver0 = function deliverDirect(packet, cb) {
    const { topic, payload } = packet;
    if ((client.version !== 4 && client.version !== 3) || !(client.connected || client.connecting) || packet.brokerId || (packet.nl && packet.clientId === client.id) || typeof topic !== "string" || topic === "" || !isPayload(payload)) {
      viaAedes.call(client, packet, cb);
      return;
    }
    // As Aedes: the ACL decides per subscriber; a refused message completes without a write.
    const toForward = client.broker.authorizeForward(client as never, packet);
    if (!toForward) {
      setImmediate(cb);
      return;
    }
    const fwdPayload = toForward.payload ?? EMPTY;
    const bytes = typeof toForward.topic === "string" && isPayload(fwdPayload) ? encoded({ topic: toForward.topic, payload: fwdPayload, retain: toForward.retain === true, dup: toForward.dup === true, ...(toForward.brokerCounter !== undefined ? { brokerCounter: toForward.brokerCounter } : {}) }) : null;
    if (bytes === null) {
      viaAedes.call(client, packet, cb);
      return;
    }
    const conn = client.conn;
    conn.cork();
    const room = conn.write(bytes);
    conn.uncork();
    // A subscriber that cannot keep up holds the publisher back, as in Aedes: its completion
    // waits for the connection to drain (or for Aedes' drain timeout, which drops it).
    if (!room && !client.errored) {
      client.waitForDrain((err) => {
        client._onError(err);
        cb();
      });
      return;
    }
    process.nextTick(cb);
  };
}
