import fc from "fast-check";
import { generate, parser as mqttParser } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { useFastPublishParse, type ParserLike } from "./publish-fast-parse.js";

type Event = { packet: Record<string, unknown> } | { error: string };

/** Everything a parser emits for these chunks, with packets as plain data. */
function run(chunks: Buffer[], fast: boolean, protocolVersion = 4): Event[] {
  const p = mqttParser({ protocolVersion });
  if (fast) useFastPublishParse(p as unknown as ParserLike);
  const out: Event[] = [];
  p.on("packet", (pk) => {
    const packet = pk as unknown as Record<string, unknown>;
    const plain: Record<string, unknown> = { class: packet.constructor.name };
    for (const [k, v] of Object.entries(packet)) plain[k] = Buffer.isBuffer(v) ? `hex:${v.toString("hex")}` : v;
    out.push({ packet: plain });
  });
  p.on("error", (e: Error) => out.push({ error: e.message }));
  for (const c of chunks) p.parse(c);
  return out;
}

const publish = (topic: string, payload: Buffer | string, o: { qos?: 0 | 1 | 2; retain?: boolean; dup?: boolean } = {}) =>
  generate({ cmd: "publish", topic, payload, qos: o.qos ?? 0, retain: o.retain ?? false, dup: o.dup ?? false, ...(o.qos ? { messageId: 7 } : {}) });

/** The same bytes through the stock parser and the fast one give the same events. */
function same(chunks: Buffer[], protocolVersion = 4): Event[] {
  const stock = run(chunks, false, protocolVersion);
  expect(run(chunks, true, protocolVersion)).toEqual(stock);
  return stock;
}

describe("useFastPublishParse", () => {
  it("parses a lone QoS 0 PUBLISH as mqtt-packet does, for every remaining-length size and flag", () => {
    for (const size of [0, 1, 100, 126, 127, 16_380, 16_400, 2_097_200]) {
      for (const [retain, dup] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const events = same([publish("bbb/b1/heartbeat", Buffer.alloc(size, 0x5a), { retain, dup })]);
        expect(events).toHaveLength(1);
      }
    }
  });

  it("takes the fast path for a lone QoS 0 PUBLISH, and only then", () => {
    const p = mqttParser() as unknown as ParserLike & { _parseHeader(): boolean };
    useFastPublishParse(p);
    let stockCalls = 0;
    const header = p._parseHeader.bind(p);
    p._parseHeader = () => {
      stockCalls++;
      return header();
    };
    p.parse(publish("a/b", "x"));
    expect(stockCalls).toBe(0);
    p.parse(publish("a/b", "x", { qos: 1 }));
    expect(stockCalls).toBe(1);
  });

  it("leaves topics of any text, odd bytes and empty payloads as mqtt-packet reads them", () => {
    same([publish("bbb/é/ü🚀", "°C")]);
    same([publish("x", "")]);
    // A topic that is not valid UTF-8: both decode it the same way.
    const bad = publish("ab", "p");
    bad[4] = 0xff;
    same([bad]);
  });

  it("gives mqtt-packet's own errors for broken packets", () => {
    const topicTooLong = Buffer.from([0x30, 0x04, 0x00, 0x09, 0x61, 0x62]);
    expect(same([topicTooLong])).toEqual([{ error: "Cannot parse topic" }]);
    const noTopicLength = Buffer.from([0x30, 0x01, 0x00]);
    expect(same([noTopicLength])[0]).toHaveProperty("error");
    const fiveByteLength = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(same([fiveByteLength])[0]).toEqual({ error: "Invalid variable byte integer" });
    expect(same([Buffer.from([0x36, 0x00])])[0]).toEqual({ error: "Packet must not have both QoS bits set to 1" });
  });

  it("leaves QoS 1 and 2, several packets in a chunk, split packets and MQTT 5 to mqtt-packet", () => {
    same([publish("a", "1", { qos: 1 }), publish("a", "2", { qos: 2 })]);
    same([Buffer.concat([publish("a", "1"), publish("b", "2")])]);
    const whole = publish("bbb/b1/heartbeat", "x".repeat(300));
    same([...whole].map((b) => Buffer.from([b])));
    same([whole.subarray(0, 10), Buffer.concat([whole.subarray(10), publish("c", "3")])]);
    same([generate({ cmd: "pingreq" }), publish("a", "1")]);
    same([generate({ cmd: "publish", topic: "a", payload: "1", qos: 0, retain: false, dup: false, properties: { contentType: "x" } }, { protocolVersion: 5 })], 5);
  });

  it("agrees with mqtt-packet on generated packet streams cut into arbitrary chunks", () => {
    const packet = fc.record({
      topic: fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }),
      payload: fc.uint8Array({ maxLength: 300 }),
      qos: fc.constantFrom(0, 0, 0, 1),
      retain: fc.boolean(),
      dup: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(400), { maxLength: 5 }), (packets, cuts) => {
        const bytes = Buffer.concat(packets.map((p) => publish(p.topic, Buffer.from(p.payload), { qos: p.qos, retain: p.retain, dup: p.dup })));
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const c of [...at, bytes.length]) {
          if (c > from) chunks.push(bytes.subarray(from, c));
          from = Math.max(from, c);
        }
        const stock = run(chunks, false);
        expect(run(chunks, true)).toEqual(stock);
        expect(stock).toHaveLength(packets.length);
      }),
      { numRuns: 1500 },
    );
  });
});
