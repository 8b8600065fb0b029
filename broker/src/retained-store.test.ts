import { describe, expect, it } from "vitest";
import { createRetainedStore, topicMatches } from "./retained-store.js";

const text = (ps: { topic: string; payload: Buffer }[]) => ps.map((p) => `${p.topic}=${p.payload.toString()}`).sort();

describe("topicMatches (MQTT 3.1.1 §4.7)", () => {
  it.each([
    ["bbb/+/heartbeat", "bbb/b1/heartbeat", true],
    ["bbb/+/heartbeat", "bbb/b1/status", false],
    ["bbb/b1/#", "bbb/b1", true],
    ["bbb/b1/#", "bbb/b1/cmd/reboot", true],
    ["bbb/b1/#", "bbb/b10/status", false],
    ["#", "bbb/b1/status", true],
    ["#", "$SYS/x", false],
    ["+/x", "$SYS/x", false],
    ["$SYS/#", "$SYS/x", true],
    ["a/+", "a/", true],
    ["a/+", "a", false],
    ["a/b", "a/b/c", false],
  ])("%s vs %s → %s", (filter, topic, want) => {
    expect(topicMatches(filter, topic)).toBe(want);
  });
});

describe("retained store", () => {
  it("keeps the last payload per topic; an empty payload deletes (MQTT-3.3.1-10, -11)", () => {
    const s = createRetainedStore();
    s.store({ topic: "bbb/b1/heartbeat", payload: Buffer.from("one"), qos: 0 });
    s.store({ topic: "bbb/b1/heartbeat", payload: Buffer.from("two, longer than the buffer of one".repeat(4)), qos: 0 });
    s.store({ topic: "bbb/b1/heartbeat", payload: "three", qos: 1 });
    s.store({ topic: "bbb/b1/status", payload: Buffer.from("online"), qos: 1 });
    expect(text(s.match(["bbb/b1/#"]))).toEqual(["bbb/b1/heartbeat=three", "bbb/b1/status=online"]);
    expect(s.match(["bbb/b1/heartbeat"])[0]).toMatchObject({ cmd: "publish", qos: 1, retain: true });
    s.store({ topic: "bbb/b1/heartbeat", payload: Buffer.alloc(0) });
    expect(text(s.match(["#"]))).toEqual(["bbb/b1/status=online"]);
    s.store({ topic: "bbb/b1/status", payload: "" });
    expect(s.size()).toBe(0);
    expect(s.match(["#", "bbb/b1/#"])).toEqual([]);
  });

  it("copies in and out: a reader's buffer never changes with a later publish, nor the store with the sender's buffer", () => {
    const s = createRetainedStore();
    const sent = Buffer.from("aaaa");
    s.store({ topic: "t/x", payload: sent });
    sent.write("zzzz");
    const [first] = s.match(["t/x"]);
    s.store({ topic: "t/x", payload: Buffer.from("bbbb") });
    expect(first?.payload.toString()).toBe("aaaa");
    expect(s.match(["t/x"])[0]?.payload.toString()).toBe("bbbb");
  });

  it("answers wildcard, exact and overlapping filters, each message once", () => {
    const s = createRetainedStore();
    for (const id of ["b1", "b2", "b10"]) {
      s.store({ topic: `bbb/${id}/heartbeat`, payload: `hb ${id}` });
      s.store({ topic: `bbb/${id}/status`, payload: `st ${id}` });
    }
    s.store({ topic: "registry/hosts/b1", payload: "view" });
    s.store({ topic: "$bbb/x", payload: "hidden" });
    expect(text(s.match(["bbb/+/heartbeat"]))).toEqual(["bbb/b1/heartbeat=hb b1", "bbb/b10/heartbeat=hb b10", "bbb/b2/heartbeat=hb b2"]);
    expect(text(s.match(["bbb/b1/#", "bbb/+/status", "bbb/b1/status"]))).toEqual([
      "bbb/b1/heartbeat=hb b1",
      "bbb/b1/status=st b1",
      "bbb/b10/status=st b10",
      "bbb/b2/status=st b2",
    ]);
    expect(text(s.match(["registry/#"]))).toEqual(["registry/hosts/b1=view"]);
    expect(s.match(["#"])).toHaveLength(7);
    expect(text(s.match(["$bbb/#"]))).toEqual(["$bbb/x=hidden"]);
    expect(s.match(["bbb/b3/#", "bbb/b1/cmd/#"])).toEqual([]);
  });
});

describe("retained stream (a subscriber's replay)", () => {
  const read = async (r: AsyncIterable<unknown>) => {
    const out: { topic: string; payload: Buffer }[] = [];
    for await (const p of r) out.push(p as { topic: string; payload: Buffer });
    return out;
  };

  it("copies each message when it is read: a newer publish made after the SUBSCRIBE is what the replay sends", async () => {
    const s = createRetainedStore();
    for (let i = 0; i < 5; i++) s.store({ topic: `bbb/registry/hosts/b${i}`, payload: `old ${i}`, qos: 1 });
    const stream = s.stream(["bbb/registry/hosts/+"]);
    for (let i = 0; i < 5; i++) s.store({ topic: `bbb/registry/hosts/b${i}`, payload: `new ${i}`, qos: 1 });
    expect(text(await read(stream))).toEqual([0, 1, 2, 3, 4].map((i) => `bbb/registry/hosts/b${i}=new ${i}`));
  });

  it("skips a topic cleared after the SUBSCRIBE, and hands out copies that later publishes do not change", async () => {
    const s = createRetainedStore();
    s.store({ topic: "bbb/b1/status", payload: "online", qos: 1 });
    s.store({ topic: "bbb/b2/status", payload: "online", qos: 1 });
    const stream = s.stream(["bbb/+/status"]);
    s.store({ topic: "bbb/b1/status", payload: "", qos: 1 });
    const got = await read(stream);
    expect(got.map((p) => p.topic)).toEqual(["bbb/b2/status"]);
    // The payload is read as Aedes reads it, just before the write: that copy stays as it was.
    const written = got[0]!.payload;
    s.store({ topic: "bbb/b2/status", payload: "lost!!", qos: 1 });
    expect(written.toString()).toBe("online");
    // Cleared in the last moment (after the stream handed the packet out): replayed as a clear.
    s.store({ topic: "bbb/b2/status", payload: "", qos: 1 });
    expect(got[0]!.payload.length).toBe(0);
  });
});
