import { describe, expect, it } from "vitest";
import { createSeenWindow, useExactDedupe, type DeliveringClient } from "./exact-dedupe.js";

describe("createSeenWindow", () => {
  it("says first once per counter, in any order", () => {
    const w = createSeenWindow(8);
    expect([5, 3, 4, 5, 3, 6].map((c) => w.first("b", c))).toEqual([true, true, true, false, false, true]);
    // Counters of another broker id are their own.
    expect(w.first("other", 5)).toBe(true);
  });

  it("forgets the oldest counters past its size", () => {
    const w = createSeenWindow(3);
    for (const c of [1, 2, 3, 4]) expect(w.first("b", c)).toBe(true);
    expect(w.first("b", 1)).toBe(true);
    expect(w.first("b", 4)).toBe(false);
  });
});

describe("useExactDedupe", () => {
  function fakeClient() {
    const written: { via: string; counter: number | undefined; brokerId: string | undefined }[] = [];
    const client: DeliveringClient = {
      deliver0: (p, cb) => {
        written.push({ via: "0", counter: p.brokerCounter, brokerId: p.brokerId });
        cb();
      },
      deliverQoS: (p, cb) => {
        written.push({ via: "qos", counter: p.brokerCounter, brokerId: p.brokerId });
        cb();
      },
    };
    return { client, written };
  }

  it("writes a message numbered lower than one already written (Aedes would drop it), and a second copy of one not at all", async () => {
    const { client, written } = fakeClient();
    useExactDedupe(client);
    const acked: number[] = [];
    client.deliver0({ brokerId: "b", brokerCounter: 11 }, () => acked.push(11));
    client.deliverQoS({ brokerId: "b", brokerCounter: 10 }, () => acked.push(10));
    client.deliver0({ brokerId: "b", brokerCounter: 11 }, () => acked.push(-11));
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([
      { via: "0", counter: 11, brokerId: undefined },
      { via: "qos", counter: 10, brokerId: undefined },
    ]);
    // The copy not written is still acknowledged to the emitter.
    expect(acked.sort()).toEqual([-11, 10, 11]);
  });

  it("passes messages without a broker id (retained replays) untouched", () => {
    const { client, written } = fakeClient();
    useExactDedupe(client);
    client.deliver0({}, () => undefined);
    client.deliver0({}, () => undefined);
    expect(written).toHaveLength(2);
  });
});
