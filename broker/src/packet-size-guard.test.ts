import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { remainingLength } from "../test/raw-connect.js";
import { admitChunk, createFrameMeter, guardPacketSize } from "./packet-size-guard.js";

/** A QoS 0 PUBLISH encoded by hand (MQTT 3.1.1 section 3.3), so the test does not trust the parser it guards. */
function publish(payloadBytes: number): Buffer {
  const topic = Buffer.from("bbb/b1/log");
  const len = remainingLength(2 + topic.length + payloadBytes);
  return Buffer.concat([Buffer.from([0x30]), len, Buffer.from([0, topic.length]), topic, Buffer.alloc(payloadBytes)]);
}

describe("frame meter", () => {
  it("passes packets up to the limit in any chunking and reports the first larger one", () => {
    const small = publish(100);
    const limit = small.length;
    const big = publish(101);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (cuts) => {
        const meter = createFrameMeter(limit);
        const stream = Buffer.concat([small, small, Buffer.from([0xc0, 0x00]), small, big]);
        let pos = 0;
        let result = 0;
        for (let i = 0; pos < stream.length && result === 0; i++) {
          const n = cuts[i % cuts.length] as number;
          result = meter(stream.subarray(pos, pos + n));
          pos += n;
        }
        expect(result).toBe(big.length);
        // Found within the header of the big packet, before its body arrived.
        expect(pos).toBeLessThanOrEqual(3 * small.length + 2 + 3 + 40);
      }),
    );
  });

  it("measures multi-byte remaining lengths", () => {
    const p = publish(300_000);
    expect(createFrameMeter(300_000)(p.subarray(0, 4))).toBe(p.length);
    expect(createFrameMeter(p.length)(p)).toBe(0);
  });
});

describe("guardPacketSize", () => {
  it("never buffers an oversize packet and destroys the stream", async () => {
    const s = new PassThrough();
    const sizes: number[] = [];
    guardPacketSize(s, 200, (n) => sizes.push(n));
    s.write(publish(50));
    const first = s.read() as Buffer;
    expect(first.length).toBe(publish(50).length);
    s.write(publish(500));
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([publish(500).length]);
    expect(s.destroyed).toBe(true);
    expect(s.read()).toBeNull();
  });

  it("follows the bytes taken before push with the same meter, in order (admitChunk)", () => {
    const s = new PassThrough();
    const sizes: number[] = [];
    guardPacketSize(s, 200, (n) => sizes.push(n));
    const big = publish(500);
    // Its first byte through push, the rest taken before push: one packet, one meter.
    s.push(big.subarray(0, 1));
    expect(admitChunk(s, big.subarray(1, 3))).toBe(false);
    expect(sizes).toEqual([big.length]);
    expect(s.destroyed).toBe(true);
    expect(admitChunk(s, publish(10))).toBe(false);
    expect(s.push(publish(10))).toBe(false);
    expect(sizes).toHaveLength(1);
  });

  it("admits every chunk of a stream without a guard", () => {
    expect(admitChunk(new PassThrough(), publish(100_000))).toBe(true);
  });
});
