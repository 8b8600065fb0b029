import { generate } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { createSharedEncoder, encodePublish0, useDirectQoS0, type DirectClient, type ForwardPacket } from "./direct-qos0.js";

/** What mqtt-packet (Aedes' writer) puts on the wire for the same QoS 0 PUBLISH. */
const reference = (topic: string, payload: Buffer | string, retain: boolean, dup: boolean) => generate({ cmd: "publish", topic, payload, qos: 0, retain, dup });

describe("encodePublish0", () => {
  // Payload sizes putting the remaining length (2 + topic + payload) on each side of the
  // one-, two- and three-byte boundaries of MQTT 3.1.1 §2.2.3.
  const topic = "bbb/b1/heartbeat"; // 16 bytes: remaining = 18 + payload
  const sizes = [0, 1, 109, 110, 16_365, 16_366, 2_097_133, 2_097_134];

  it.each(sizes)("matches mqtt-packet byte for byte for a %i-byte payload, with every flag", (size) => {
    const payload = Buffer.alloc(size, 0x61);
    for (const retain of [false, true]) {
      for (const dup of [false, true]) expect(encodePublish0(topic, payload, retain, dup)?.equals(reference(topic, payload, retain, dup))).toBe(true);
    }
  });

  it("matches mqtt-packet for multi-byte UTF-8 topics and string payloads", () => {
    for (const [t, p] of [
      ["bbb/é/ünï/heartbeat", '{"µ":"°C"}'],
      ["a/🚀", "🚀".repeat(50)],
      ["x", ""],
      ["bbb/registry/hosts/b1", Buffer.from([0, 255, 1, 254])],
    ] as [string, Buffer | string][]) {
      expect(encodePublish0(t, p, false, false)?.equals(reference(t, p, false, false))).toBe(true);
    }
  });

  it("refuses a topic over 65,535 bytes (left to Aedes)", () => {
    expect(encodePublish0("t".repeat(65_536), "x", false, false)).toBeNull();
    expect(encodePublish0("t".repeat(65_535), "x", false, false)?.length).toBe(1 + 3 + 2 + 65_535 + 1);
  });
});

describe("createSharedEncoder", () => {
  it("encodes a message once for all its subscribers' copies", () => {
    const enc = createSharedEncoder();
    const payload = Buffer.from("beat");
    const a = enc({ topic: "a/b", payload, retain: false, dup: false, brokerCounter: 7 });
    const b = enc({ topic: "a/b", payload, retain: false, dup: false, brokerCounter: 7 });
    expect(b).toBe(a);
    // A replay (retain set) of the same message is another packet on the wire.
    const replay = enc({ topic: "a/b", payload, retain: true, dup: false, brokerCounter: 7 });
    expect(replay).not.toBe(a);
    expect(replay?.[0]).toBe(0x31);
  });

  it("never serves a payload buffer its publisher reused for a later message from the cache", () => {
    const enc = createSharedEncoder();
    const payload = Buffer.from("one");
    const first = enc({ topic: "a/b", payload, retain: false, dup: false, brokerCounter: 1 });
    payload.write("two");
    const second = enc({ topic: "a/b", payload, retain: false, dup: false, brokerCounter: 2 });
    expect(second).not.toBe(first);
    expect(second?.subarray(-3).toString()).toBe("two");
    // Without a counter nothing is shared.
    const third = enc({ topic: "a/b", payload, retain: false, dup: false });
    expect(enc({ topic: "a/b", payload, retain: false, dup: false })).not.toBe(third);
  });
});

describe("useDirectQoS0", () => {
  function fakeClient(over: Partial<DirectClient> = {}, opts: { room?: boolean; forward?: (p: ForwardPacket) => ForwardPacket | null } = {}) {
    const calls: string[] = [];
    const written: Buffer[] = [];
    const viaAedes: ForwardPacket[] = [];
    let drain: ((err?: Error | null) => void) | null = null;
    const errors: (Error | null | undefined)[] = [];
    const client: DirectClient = {
      id: "sub",
      version: 4,
      connected: true,
      conn: {
        cork: () => void calls.push("cork"),
        uncork: () => void calls.push("uncork"),
        write: ((b: Buffer) => {
          calls.push("write");
          written.push(b);
          return opts.room ?? true;
        }) as DirectClient["conn"]["write"],
      },
      broker: { authorizeForward: (_c: never, p: ForwardPacket) => (opts.forward ? opts.forward(p) : p) },
      deliver0: (p, cb) => {
        viaAedes.push(p);
        cb();
      },
      waitForDrain: (cb) => void (drain = cb),
      _onError: (err) => void errors.push(err),
      ...over,
    };
    useDirectQoS0(client, createSharedEncoder());
    return { client, calls, written, viaAedes, errors, drain: (err?: Error) => drain?.(err) };
  }
  const done = () => {
    let n = 0;
    return { cb: () => void n++, get count() { return n; } };
  };
  const tick = () => new Promise((r) => process.nextTick(r));

  it("writes the PUBLISH as one corked write in the delivery itself and completes on the next tick", async () => {
    const f = fakeClient();
    const d = done();
    f.client.deliver0({ topic: "bbb/b1/heartbeat", payload: Buffer.from("{}"), retain: false, brokerCounter: 3 }, d.cb);
    expect(f.calls).toEqual(["cork", "write", "uncork"]);
    expect(f.written[0]?.equals(reference("bbb/b1/heartbeat", Buffer.from("{}"), false, false))).toBe(true);
    expect(f.viaAedes).toEqual([]);
    expect(d.count).toBe(0);
    await tick();
    expect(d.count).toBe(1);
  });

  it("leaves to Aedes what it does not handle: MQTT 5, a closed client, a broker id, no-local, odd topics or payloads", () => {
    const cases: [Partial<DirectClient>, ForwardPacket][] = [
      [{ version: 5 }, { topic: "a", payload: "x" }],
      [{ connected: false, connecting: false }, { topic: "a", payload: "x" }],
      [{}, { topic: "a", payload: "x", brokerId: "other" }],
      [{}, { topic: "a", payload: "x", clientId: "sub", nl: true }],
      [{}, { topic: "", payload: "x" }],
      [{}, { topic: Buffer.from("a"), payload: "x" }],
      [{}, { topic: "a", payload: 42 }],
    ];
    for (const [over, packet] of cases) {
      const f = fakeClient(over);
      f.client.deliver0(packet, () => undefined);
      expect(f.viaAedes).toEqual([packet]);
      expect(f.written).toEqual([]);
    }
    // While the CONNACK is on its way Aedes writes too, and so does this.
    const connecting = fakeClient({ connected: false, connecting: true });
    connecting.client.deliver0({ topic: "a", payload: "x" }, () => undefined);
    expect(connecting.written).toHaveLength(1);
  });

  it("writes nothing the ACL refuses, and still completes", async () => {
    const f = fakeClient({}, { forward: () => null });
    const d = done();
    f.client.deliver0({ topic: "bbb/secret", payload: "x" }, d.cb);
    expect(f.written).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(d.count).toBe(1);
  });

  it("completes a delivery to a full connection only when it drains, and reports a drain timeout", async () => {
    const f = fakeClient({}, { room: false });
    const d = done();
    f.client.deliver0({ topic: "a", payload: "x" }, d.cb);
    await tick();
    expect(d.count).toBe(0);
    const err = new Error("drain timeout");
    f.drain(err);
    expect(d.count).toBe(1);
    expect(f.errors).toEqual([err]);
  });

  it("empty payloads (a retained message cleared) go out as zero bytes", () => {
    const f = fakeClient();
    f.client.deliver0({ topic: "a/b", retain: true }, () => undefined);
    expect(f.written[0]?.equals(reference("a/b", Buffer.alloc(0), true, false))).toBe(true);
  });
});
