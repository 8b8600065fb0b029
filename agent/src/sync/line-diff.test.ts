import { describe, expect, it } from "vitest";
import { unifiedDiff } from "./line-diff.js";

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n")).toBe("");
  });

  it("shows a replaced line with context, removals before additions", () => {
    const a = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].join("\n") + "\n";
    const b = a.replace("5\n", "five\n");
    expect(unifiedDiff(a, b, { oldName: "old", newName: "new" })).toBe(
      ["--- old", "+++ new", "@@ -2,7 +2,7 @@", " 2", " 3", " 4", "-5", "+five", " 6", " 7", " 8", ""].join("\n"),
    );
  });

  it("diffs against an empty file and splits distant changes into hunks", () => {
    expect(unifiedDiff("", "x\ny\n")).toBe("--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n");
    const a = Array.from({ length: 30 }, (_, i) => `l${i}`).join("\n") + "\n";
    const b = a.replace("l2\n", "L2\n").replace("l25\n", "");
    const d = unifiedDiff(a, b);
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain("@@ -1,6 +1,6 @@");
    expect(d).toContain("@@ -23,7 +23,6 @@");
  });

  it("summarises texts too long to diff", () => {
    const big = "x\n".repeat(5000);
    expect(unifiedDiff(big, big + "y\n")).toContain("too long to diff");
  });
});
