import { describe, expect, it } from "vitest";
import { stampRequest } from "./request-stamp.js";
import { deriveStampKey, signRequestAuth, verifyRequestAuth } from "./request-sig.js";

const auth = { username: "vera", role: "viewer" as const, clientId: "dash-1" };
const key = deriveStampKey("a-fleet-secret-of-some-length");

describe("stampRequest", () => {
  it("sets auth and overwrites a forged one", () => {
    const out = stampRequest(Buffer.from('{"transaction":"t","token":"tk","auth":{"username":"ada","role":"admin","clientId":"x"}}'), auth, 1024, key);
    expect(JSON.parse(out?.toString() ?? "")).toEqual({ transaction: "t", auth: signRequestAuth(key, auth, "t") });
    expect(JSON.parse(stampRequest("{}", auth, 1024, key)?.toString() ?? "")).toEqual({ auth: signRequestAuth(key, auth, "") });
  });

  it("signs who and the transaction: another key, transaction or field does not verify", () => {
    const signed = signRequestAuth(key, auth, "t1");
    expect(verifyRequestAuth(key, signed, "t1")).toBe(true);
    expect(verifyRequestAuth(key, signed, "t2")).toBe(false);
    expect(verifyRequestAuth(deriveStampKey("another-fleet-secret-here"), signed, "t1")).toBe(false);
    expect(verifyRequestAuth(key, { ...signed, role: "admin" }, "t1")).toBe(false);
    expect(verifyRequestAuth(key, { ...signed, username: "ada" }, "t1")).toBe(false);
  });

  it("refuses what is not a JSON object or is too large", () => {
    for (const p of ["", "null", "[]", "1", '"s"', "{", "not json"]) expect(stampRequest(Buffer.from(p), auth, 1024, key)).toBeNull();
    expect(stampRequest(Buffer.from(`{"a":"${"x".repeat(2000)}"}`), auth, 1024, key)).toBeNull();
  });
});
