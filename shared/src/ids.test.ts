import { describe, expect, it } from "vitest";
import { boardIdSchema, epicsToHostname, hostnameProblem, hostnameSchema, hostnameToEpics, isHostname } from "./ids.js";

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

  it("names the rule a bad hostname breaks", () => {
    const msg = (h: string) => hostnameSchema.safeParse(h).error?.issues[0]?.message;
    expect(msg("-LA-RaCtrl:CO-Srv-1")).toBe('hostname: "-LA-RaCtrl:CO-Srv-1" starts with a dash');
    expect(msg("LA-RaCtrl:CO-Srv-")).toBe('hostname: "LA-RaCtrl:CO-Srv-" ends with a dash');
    expect(msg("LA_RaCtrl")).toBe('hostname: character "_" not allowed (letters, digits, \'-\', and \':\' in EPICS names)');
    expect(msg("a".repeat(64))).toContain("has 64 characters, at most 63");
    expect(msg("")).toBe("hostname: empty");
    expect(msg("a..b")).toBe("hostname: empty part between dots");
    expect(hostnameProblem("LA-RaCtrl:CO-Srv-1")).toBeNull();
    for (const h of ["-x", "x-", "a_b", "", "a".repeat(64), "a..b"]) expect(isHostname(epicsToHostname(h))).toBe(false);
  });
});
