import { describe, expect, it } from "vitest";
import { createGcPauses } from "./gc-pauses.js";

describe("createGcPauses", () => {
  it("summarises each window's pauses, with sum and count since the start", () => {
    const gc = createGcPauses();
    for (let i = 1; i <= 100; i++) gc.record(i / 1000);
    const first = gc.rotate();
    expect(first.quantiles).toEqual([
      { q: 0.5, value: 0.05 },
      { q: 0.9, value: 0.09 },
      { q: 0.99, value: 0.099 },
      { q: 1, value: 0.1 },
    ]);
    expect(first.count).toBe(100);
    expect(first.sum).toBeCloseTo(5.05, 6);
    // A window without a pause: zeros, while the totals stay.
    const quiet = gc.rotate();
    expect(quiet.quantiles.every((q) => q.value === 0)).toBe(true);
    expect(quiet.count).toBe(100);
    gc.record(0.25);
    const next = gc.rotate();
    expect(next.quantiles.map((q) => q.value)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(next.count).toBe(101);
    expect(next.sum).toBeCloseTo(5.3, 6);
  });

  it("sees this thread's real collections once started", async () => {
    const gc = createGcPauses();
    gc.start();
    // Garbage enough for several young-generation collections.
    let keep = 0;
    for (let i = 0; i < 200_000; i++) keep += [i, { i }, `x${i}`].length;
    expect(keep).toBe(600_000);
    await new Promise((r) => setTimeout(r, 50));
    const s = gc.rotate();
    gc.stop();
    expect(s.count).toBeGreaterThan(0);
    expect(s.quantiles[3]?.value).toBeGreaterThan(0);
  });
});
