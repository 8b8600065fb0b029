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
