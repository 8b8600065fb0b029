import { describe, expect, it } from "vitest";
import { blockOf, cellXY, hitTest, layoutMap } from "./map-geometry.js";

describe("board map layout", () => {
  it("fits 10,000 boards in 25 sectors on one 1,400 x 700 screen", () => {
    const sectors = Array.from({ length: 10_000 }, (_, i) => `s${Math.floor(i / 400)}`);
    const g = layoutMap(sectors, 1400, 700, 120);
    expect(g.blocks).toHaveLength(25);
    expect(g.rows * (g.cell + g.gap)).toBeLessThanOrEqual(700);
    expect(g.cell).toBeGreaterThanOrEqual(4);
  });

  it("starts every sector on a new row and maps pixels back to boards", () => {
    const g = layoutMap(["a", "a", "a", "b"], 120 + 2 * 11, 33, 120, 1);
    expect(g.cell).toBe(10);
    expect(g.cols).toBe(2);
    expect(g.blocks.map((b) => [b.sector, b.row0])).toEqual([["a", 0], ["b", 2]]);
    const b = blockOf(g, 3);
    expect(b?.sector).toBe("b");
    const { x, y } = cellXY(g, b ?? g.blocks[0]!, 3);
    expect(hitTest(g, x + 1, y + 1)).toBe(3);
    expect(hitTest(g, 10, 1)).toBeNull();
    const empty = cellXY(g, g.blocks[0]!, 3);
    expect(hitTest(g, empty.x + 1, empty.y + 1)).toBeNull();
  });
});
