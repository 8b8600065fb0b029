import mqttPacket from "mqtt-packet";

/**
 * Minimal MQTT 3.1.1 framing for the load generator: PUBLISH is encoded by hand (one buffer,
 * one write) so that the generator stays far cheaper than the broker it measures; CONNECT,
 * SUBSCRIBE and parsing use mqtt-packet.
 */

function varintLength(n) {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}

/** PUBLISH packet (MQTT 3.1.1 §3.3). `msgId` is needed for QoS 1. */
export function encodePublish(topic, payload, { qos = 0, retain = false, msgId = 0 } = {}) {
  const topicLen = Buffer.byteLength(topic);
  const payloadLen = Buffer.byteLength(payload);
  const remaining = 2 + topicLen + (qos > 0 ? 2 : 0) + payloadLen;
  const buf = Buffer.allocUnsafe(1 + varintLength(remaining) + remaining);
  let o = 0;
  buf[o++] = 0x30 | (qos << 1) | (retain ? 1 : 0);
  let r = remaining;
  do {
    let byte = r % 128;
    r = Math.floor(r / 128);
    if (r > 0) byte |= 0x80;
    buf[o++] = byte;
  } while (r > 0);
  buf.writeUInt16BE(topicLen, o);
  o += 2;
  o += buf.write(topic, o);
  if (qos > 0) {
    buf.writeUInt16BE(msgId, o);
    o += 2;
  }
  buf.write(payload, o);
  return buf;
}

export const PINGREQ = Buffer.from([0xc0, 0x00]);
export const DISCONNECT = Buffer.from([0xe0, 0x00]);

export function encodePuback(msgId) {
  return Buffer.from([0x40, 0x02, msgId >> 8, msgId & 255]);
}

export function encodeConnect({ clientId, username, password, keepalive, will }) {
  const packet = { cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId, keepalive };
  if (username !== undefined) packet.username = username;
  if (password !== undefined) packet.password = Buffer.from(password);
  if (will) packet.will = { topic: will.topic, payload: Buffer.from(will.payload), qos: will.qos ?? 1, retain: will.retain ?? true };
  return mqttPacket.generate(packet);
}

export function encodeSubscribe(msgId, filters, qos = 0) {
  return mqttPacket.generate({ cmd: "subscribe", messageId: msgId, subscriptions: filters.map((topic) => ({ topic, qos })) });
}

export function createParser() {
  return mqttPacket.parser({ protocolVersion: 4 });
}
