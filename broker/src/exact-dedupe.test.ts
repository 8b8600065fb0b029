import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSeenWindow, useExactDedupe, type DeliveringClient } from "./exact-dedupe.js";

describe("createSeenWindow", () => {
  it("says first once per counter, in any order", () => {
    const w = createSeenWindow(8);
    expect([5, 3, 4, 5, 3, 6].map((c) => w.first("b", c))).toEqual([true, true, true, false, false, true]);
    // Counters of another broker id are their own.
    expect(w.first("other", 5)).toBe(true);
  });

  it("remembers the counters up to the highest seen and forgets those a whole window below it", () => {
    const w = createSeenWindow(32);
    for (let c = 1; c <= 40; c++) expect(w.first("b", c)).toBe(true);
    expect(w.first("b", 40)).toBe(false);
    expect(w.first("b", 9)).toBe(false);
    // 8 is more than a window below 40: forgotten, so a later copy would pass once.
    expect(w.first("b", 8)).toBe(true);
    expect(w.first("b", 8)).toBe(false);
  });

  it("clears the bits it skips over when the highest counter moves on, whole words at a time too", () => {
    const w = createSeenWindow(64);
    for (let c = 0; c < 64; c++) expect(w.first("b", c)).toBe(true);
    // Counters 64..126 reuse the bits of 0..62: 64..95's word is cleared at once, 96..126 bit by bit.
    expect(w.first("b", 126)).toBe(true);
    // 63 is still in the window (63..126) and was seen.
    expect(w.first("b", 63)).toBe(false);
    expect([64, 70, 95, 100, 125].map((c) => w.first("b", c))).toEqual([true, true, true, true, true]);
    expect([64, 70, 95, 100, 125, 126].map((c) => w.first("b", c))).toEqual([false, false, false, false, false, false]);
  });

  it("remembers a message overtaken by many later ones (far below the highest) once it came", () => {
    const w = createSeenWindow(32);
    expect(w.first("b", 1_000)).toBe(true);
    expect(w.first("b", 5)).toBe(true);
    expect(w.first("b", 5)).toBe(false);
    // Jumps larger than the window, as a client that gets one message in thousands sees them.
    expect(w.first("b", 100_000)).toBe(true);
    expect(w.first("b", 1_000)).toBe(true);
    expect(w.first("b", 100_000)).toBe(false);
    expect(w.first("b", 99_990)).toBe(true);
  });

  it("hands each message over once when its copies come together, in any mostly rising order", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            step: fc.oneof(fc.integer({ min: -8, max: 40 }), fc.integer({ min: -3000, max: 3000 })),
            copies: fc.integer({ min: 1, max: 3 }),
          }),
          { maxLength: 400 },
        ),
        fc.integer({ min: 1, max: 100 }),
        (msgs, size) => {
          const w = createSeenWindow(size);
          const used = new Set<number>();
          let c = 10_000;
          for (const m of msgs) {
            c = Math.max(0, c + m.step);
            while (used.has(c)) c++;
            used.add(c);
            const seen = Array.from({ length: m.copies }, () => w.first("b", c));
            expect(seen).toEqual([true, ...Array<boolean>(m.copies - 1).fill(false)]);
          }
        },
      ),
    );
  });

  it("keeps counters it cannot place in its bitmap (negative, fractional) exact too", () => {
    const w = createSeenWindow(32);
    expect([-1, -1, 2.5, 2.5, 3].map((c) => w.first("b", c))).toEqual([true, false, true, false, true]);
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
