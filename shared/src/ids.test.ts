import { describe, expect, it } from "vitest";
import { boardIdSchema, epicsToHostname, hostnameSchema, hostnameToEpics, isHostname } from "./ids.js";

describe("identifiers", () => {
  it("accepts MAC-style and configured board ids, refuses reserved and unsafe ones", () => {
    expect(boardIdSchema.safeParse("a0f6fd8b1c22").success).toBe(true);
    expect(boardIdSchema.safeParse("sim-000042").success).toBe(true);
    for (const bad of ["registry", "manager", "A0F6", "a/b", "a+", "#", "", "-x", "x".repeat(65)]) {
      expect(boardIdSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
  it("writes EPICS names in hostname form and back", () => {
    expect(epicsToHostname("LA-RaCtrl:CO-Srv-1")).toBe("LA-RaCtrl--CO-Srv-1");
    expect(hostnameToEpics("LA-RaCtrl--CO-Srv-1")).toBe("LA-RaCtrl:CO-Srv-1");
    expect(hostnameSchema.parse("LA-RaCtrl:CO-Srv-1")).toBe("LA-RaCtrl--CO-Srv-1");
  });
  it("follows RFC 1123", () => {
    expect(isHostname("bbb-01.lnls")).toBe(true);
    expect(isHostname("-bad")).toBe(false);
    expect(isHostname("bad-")).toBe(false);
    expect(isHostname("under_score")).toBe(false);
    expect(isHostname("a".repeat(64))).toBe(false);
    expect(hostnameSchema.safeParse("rm -rf /").success).toBe(false);
  });
});
