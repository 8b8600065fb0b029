import { describe, expect, it } from "vitest";
import { decodeFrame, encodeControl, encodeMessage, type ControlFrame, type RoutedPacket } from "./cluster-frames.js";

const base: RoutedPacket = { cmd: "publish", topic: "bbb/b1/heartbeat", payload: Buffer.from('{"seq":1}'), qos: 1, retain: true, dup: false, brokerId: "replica-1", brokerCounter: 2 ** 40 + 7 };

describe("cluster frames", () => {
  it.each([
    ["a binary payload with every optional field", { ...base, clientId: "b1", messageId: 65_535 }],
    ["a text payload (Aedes's own $SYS messages)", { ...base, topic: "$SYS/r/heartbeat", payload: "r", qos: 0, retain: false, dup: true }],
    ["an empty payload (a retained message cleared)", { ...base, payload: Buffer.alloc(0) }],
    ["non-ASCII topics and ids", { ...base, topic: "bbb/gerät-ü/heartbeat", clientId: "tablé" }],
  ])("carries %s unchanged", (_name, packet: RoutedPacket) => {
    const got = decodeFrame(encodeMessage(packet));
    expect(got).toEqual({ type: "message", packet });
  });

  it("copies the payload out of the frame (Redis reuses its read buffer)", () => {
    const frame = encodeMessage(base);
    const got = decodeFrame(frame);
    frame.fill(0);
    expect(got.type === "message" && (got.packet.payload as Buffer).toString()).toBe('{"seq":1}');
  });

  it("carries control frames", () => {
    const frames: ControlFrame[] = [
      { k: "S", from: "r1", filters: ["bbb/+/heartbeat", "$SYS/+/heartbeat"], ask: true },
      { k: "+", from: "r1", filter: "bbb/b1/cmd/#" },
      { k: "-", from: "r1", filter: "bbb/b1/cmd/#" },
      { k: "B", from: "r1" },
      { k: "Q", from: "r1" },
    ];
    for (const f of frames) expect(decodeFrame(encodeControl(f))).toEqual({ type: "control", frame: f });
  });

  it.each([
    ["an empty frame", Buffer.alloc(0)],
    ["an unknown type", Buffer.from("Xabc")],
    ["a message cut inside its header", encodeMessage(base).subarray(0, 8)],
    ["a message cut inside its topic", encodeMessage(base).subarray(0, 16)],
    ["a control frame that is not JSON", Buffer.from("C{nope")],
    // A kind outside ControlFrame, on purpose: the cast is how the encoder is made to write it.
    ["a control frame of an unknown kind", encodeControl({ k: "Z", from: "r1" } as never)],
    ["a control frame without a sender", Buffer.from('C{"k":"B"}')],
    ["a snapshot whose filters are not strings", Buffer.from('C{"k":"S","from":"r","filters":[1]}')],
    ["a change without a filter", Buffer.from('C{"k":"+","from":"r"}')],
  ])("refuses %s", (_name, frame) => {
    expect(() => decodeFrame(frame)).toThrow();
  });

  it("refuses a topic longer than a frame field holds", () => {
    expect(() => encodeMessage({ ...base, topic: "t".repeat(70_000) })).toThrow(RangeError);
  });
});
