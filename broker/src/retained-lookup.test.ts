import { describe, expect, it } from "vitest";
import { onlyCommandTopics } from "./retained-lookup.js";

describe("onlyCommandTopics", () => {
  it("recognises filters that can only match commands", () => {
    expect(onlyCommandTopics("bbb/a0f6fd8b1c22/cmd/#", "bbb")).toBe(true);
    expect(onlyCommandTopics("bbb/a0f6fd8b1c22/cmd/reboot", "bbb")).toBe(true);
    expect(onlyCommandTopics("bbb/+/cmd/+", "bbb")).toBe(true);
  });
  it("leaves every other filter to the retained store", () => {
    for (const f of ["bbb/#", "bbb/+/#", "bbb/a0f6fd8b1c22/#", "bbb/+/+/#", "bbb/x/cmd", "other/x/cmd/#", "bbb/registry/hosts/+", "#"]) {
      expect(onlyCommandTopics(f, "bbb"), f).toBe(false);
    }
  });
});
