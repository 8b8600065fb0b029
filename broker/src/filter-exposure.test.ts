import { describe, expect, it } from "vitest";
import { exposesManagerTraffic } from "./filter-exposure.js";

const exposes = (filter: string) => exposesManagerTraffic("bbb", filter, "vera");

describe("exposesManagerTraffic", () => {
  it("refuses filters that reach requests or someone else's replies", () => {
    for (const f of ["#", "bbb/#", "+/#", "bbb/+/#", "bbb/manager/#", "bbb/manager/request/+", "bbb/manager/request/auth.login", "bbb/manager/+/+", "bbb/manager/response/#", "bbb/manager/response/+/r1", "bbb/manager/response/otto/#", "bbb/+/+/+", "bbb/manager/users", "bbb/+/users", "bbb/manager/+", "bbb/+/+"]) {
      expect(exposes(f), f).toBe(true);
    }
  });

  it("allows the user's own replies and everything outside the manager's request traffic", () => {
    for (const f of ["bbb/manager/response/vera/#", "bbb/manager/response/vera/r1", "bbb/manager/response/dash-1", "bbb/manager/status", "bbb/+/status", "bbb/+/heartbeat", "bbb/+/result/+", "bbb/registry/#", "bbb/b1/cmd/#", "other/#"]) {
      expect(exposes(f), f).toBe(false);
    }
  });
});
