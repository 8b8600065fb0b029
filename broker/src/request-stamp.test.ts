import { describe, expect, it } from "vitest";
import { stampRequest } from "./request-stamp.js";

const auth = { username: "vera", role: "viewer" as const, clientId: "dash-1" };

describe("stampRequest", () => {
  it("sets auth and overwrites a forged one", () => {
    const out = stampRequest(Buffer.from('{"transaction":"t","auth":{"username":"ada","role":"admin","clientId":"x"}}'), auth, 1024);
    expect(JSON.parse(out?.toString() ?? "")).toEqual({ transaction: "t", auth });
    expect(JSON.parse(stampRequest("{}", auth, 1024)?.toString() ?? "")).toEqual({ auth });
  });

  it("refuses what is not a JSON object or is too large", () => {
    for (const p of ["", "null", "[]", "1", '"s"', "{", "not json"]) expect(stampRequest(Buffer.from(p), auth, 1024)).toBeNull();
    expect(stampRequest(Buffer.from(`{"a":"${"x".repeat(2000)}"}`), auth, 1024)).toBeNull();
  });
});
