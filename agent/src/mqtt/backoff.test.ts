import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffCeiling, backoffDelay } from "./backoff.js";

describe("reconnect backoff (full jitter)", () => {
  const o = { baseMs: 500, capMs: 30_000 };
  it("stays within [0, min(cap, base·2^n)) for any random value and attempt", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const d = backoffDelay(n, { ...o, random: () => r });
          return d >= 0 && d < Math.max(1, backoffCeiling(n, o.baseMs, o.capMs)) && Number.isFinite(d);
        },
      ),
    );
  });
  it("grows exponentially up to the cap", () => {
    const top = (n: number) => backoffDelay(n, { ...o, random: () => 0.999999 });
    expect(top(0)).toBe(499);
    expect(top(3)).toBe(3999);
    expect(top(6)).toBe(29_999);
    expect(top(60)).toBe(29_999);
    expect(backoffDelay(5, { ...o, random: () => 0 })).toBe(0);
  });
});
