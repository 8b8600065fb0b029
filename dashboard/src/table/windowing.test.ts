import { describe, expect, it } from "vitest";
import { computeWindow, scrollToReveal } from "./windowing.js";

describe("computeWindow", () => {
  it("renders only the rows in view plus overscan, for 10,000 rows", () => {
    const w = computeWindow(0, 600, 38, 10_000, 8);
    expect(w).toEqual({ start: 0, end: 25, offset: 0, totalHeight: 380_000 });
    const mid = computeWindow(38 * 5000, 600, 38, 10_000, 8);
    expect(mid.start).toBe(4992);
    expect(mid.end - mid.start).toBeLessThanOrEqual(34);
    expect(mid.offset).toBe(4992 * 38);
  });
  it("clamps past the end and handles empty lists", () => {
    const w = computeWindow(10_000_000, 600, 38, 10_000, 8);
    expect(w.end).toBe(10_000);
    expect(w.start).toBeGreaterThan(9_900);
    expect(computeWindow(0, 600, 38, 0)).toEqual({ start: 0, end: 0, offset: 0, totalHeight: 0 });
  });
  it("scrolls just enough to reveal a row", () => {
    expect(scrollToReveal(9, 0, 380, 38)).toBeNull();
    expect(scrollToReveal(10, 0, 380, 38)).toBe(38);
    expect(scrollToReveal(10, 1000, 380, 38)).toBe(380);
    expect(scrollToReveal(30, 0, 380, 38)).toBe(31 * 38 - 380);
  });
});
