import { describe, expect, it } from "vitest";
import { mayRead, virtualRealpath, virtualSegments } from "./path-guard.js";

describe("virtual paths of the SFTP store", () => {
  it("normalises relative and dotted paths from the root", () => {
    expect(virtualSegments(".")).toEqual([]);
    expect(virtualSegments("/pru/./a//b/../c")).toEqual(["pru", "a", "c"]);
    expect(virtualSegments("pru/x")).toEqual(["pru", "x"]);
  });

  it("refuses climbing above the root, except REALPATH which stays at /", () => {
    expect(virtualSegments("/../etc/passwd")).toBeNull();
    expect(virtualSegments("/pru/../../etc")).toBeNull();
    expect(virtualSegments("/pru\0/x")).toBeNull();
    expect(virtualRealpath("/pru/../..")).toBe("/");
    expect(virtualRealpath(".")).toBe("/");
    expect(virtualRealpath("pru/a/..")).toBe("/pru");
  });

  it("hides internal folders and applies the per-type restriction to agents only", () => {
    const policy = {
      isRestricted: (t: string) => t === "pru",
      typeOfBoard: (b: string) => (b === "b1" ? "pru" : "mbtemp"),
    };
    expect(mayRead(".trees", { kind: "user", role: "admin" }, policy)).toBe(false);
    expect(mayRead("pru", { kind: "user", role: "viewer" }, policy)).toBe(true);
    expect(mayRead("pru", { kind: "agent", boardId: "b1" }, policy)).toBe(true);
    expect(mayRead("pru", { kind: "agent", boardId: "b2" }, policy)).toBe(false);
    expect(mayRead("mbtemp", { kind: "agent", boardId: "b1" }, policy)).toBe(true);
    expect(mayRead("pru", { kind: "agent", boardId: "b2" }, undefined)).toBe(true);
  });
});
