import { describe, expect, it } from "vitest";
import { sparkline, summarise } from "./sparkline.js";

describe("sparkline", () => {
  it("scales between the series' own min and max, a space for a gap", () => {
    expect(sparkline([0, 7, null, 3.5], 10)).toBe("▁█ ▅");
    expect(sparkline([5, 5], 10)).toBe("▄▄");
    expect(sparkline([null, null], 10)).toBe("  ");
  });
  it("averages buckets down to the width", () => {
    expect(sparkline([0, 0, 10, 10], 2)).toBe("▁█");
  });
  it("summarises the present values", () => {
    expect(summarise([1, null, 3])).toEqual({ min: 1, max: 3, mean: 2, last: 3 });
    expect(summarise([null])).toEqual({ min: null, max: null, mean: null, last: null });
  });
});
