import { describe, expect, it } from "vitest";
import { commonPrefix } from "./common-prefix.js";

describe("commonPrefix", () => {
  it("is the shared prefix cut back to a whole word", () => {
    expect(commonPrefix(["bbb-ps-1", "bbb-ps-2", "bbb-mbtemp-1"])).toBe("bbb-");
    expect(commonPrefix(["SI-01RaCtrl:CO-Srv-1", "SI-02RaCtrl:CO-Srv-1"])).toBe("SI-");
    // Every name keeps two words: "PSCtrl-1", never a bare "1".
    expect(commonPrefix(["IA-20RaBbB:CO-PSCtrl-1", "IA-20RaBbB:CO-PSCtrl-2"])).toBe("IA-20RaBbB:CO-");
  });

  it("hides nothing for one name or a short or missing shared part, and never a name's last two words", () => {
    expect(commonPrefix([])).toBe("");
    expect(commonPrefix(["bbb-ps-1"])).toBe("");
    expect(commonPrefix(["SI-01", "IA-01"])).toBe("");
    expect(commonPrefix(["a-1-x", "a-2-x"])).toBe("");
    expect(commonPrefix(["bbb-ps-1", "bbb-ps-2"])).toBe("bbb-");
    expect(commonPrefix(["bbbx1", "bbbx2"])).toBe("");
  });
});
