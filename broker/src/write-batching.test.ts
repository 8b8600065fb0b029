import { Writable } from "node:stream";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { batchWrites } from "./write-batching.js";

/** A stream that records how many system-call-like writes reach it and what they carry. */
function recorder() {
  const writes: Buffer[][] = [];
  const stream = new Writable({
    writev(chunks, cb) {
      writes.push(chunks.map((c) => c.chunk as Buffer));
      cb();
    },
    write(chunk: Buffer, _enc, cb) {
      writes.push([chunk]);
      cb();
    },
  });
  return { stream, writes };
}

const packet = (n: number) =>
  ({ cmd: "publish", topic: `bbb/b${n}/heartbeat`, payload: Buffer.from(`{"seq":${n}}`), qos: 0, retain: false, dup: false }) as const;

/** Five packets as Aedes forwards them: each from its own callback, a tick apart. */
function sendFive(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    let n = 0;
    const next = () => {
      mqttPacket.writeToStream(packet(n), stream);
      if (++n < 5) process.nextTick(next);
      else resolve();
    };
    next();
  });
}

const wire = (writes: Buffer[][]) => Buffer.concat(writes.flat());

describe("batchWrites", () => {
  it("without it, every packet is its own write", async () => {
    const { stream, writes } = recorder();
    await sendFive(stream);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(5);
  });

  it("sends the packets of one event-loop turn in one write, bytes unchanged", async () => {
    const plain = recorder();
    await sendFive(plain.stream);
    const batched = recorder();
    batchWrites(batched.stream);
    await sendFive(batched.stream);
    expect(batched.writes).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(batched.writes).toHaveLength(1);
    expect(wire(batched.writes)).toEqual(wire(plain.writes));
  });

  it("flushes on end(), and a later turn starts a new batch", async () => {
    const { stream, writes } = recorder();
    batchWrites(stream);
    await sendFive(stream);
    await new Promise((r) => setImmediate(r));
    mqttPacket.writeToStream(packet(9), stream);
    stream.end();
    await new Promise((r) => stream.once("finish", r));
    expect(writes).toHaveLength(2);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2);
  });

  it("sends what it holds before destroy() (a refused CONNACK precedes the close)", async () => {
    const { stream, writes } = recorder();
    batchWrites(stream);
    mqttPacket.writeToStream({ cmd: "connack", returnCode: 5, sessionPresent: false }, stream);
    // Aedes destroys a refused connection a tick after writing its CONNACK, before setImmediate.
    await new Promise((r) => process.nextTick(r));
    expect(writes).toHaveLength(0);
    stream.destroy();
    expect(wire(writes)).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x05]));
  });
});
