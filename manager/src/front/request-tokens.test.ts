import { describe, expect, it } from "vitest";
import type { Role } from "@bbb/shared";
import { createRequestTokens, requestTokenKey } from "./request-tokens.js";

function setup() {
  let t = 1_000_000;
  const users = new Map<string, { role: Role; hash: string }>([["vera", { role: "viewer", hash: "scrypt$1" }]]);
  const tokens = createRequestTokens({ key: requestTokenKey("fleet-secret-0123456789"), users: { credentials: (u) => users.get(u) ?? null }, now: () => t, ttlMs: 60_000 });
  return { tokens, users, tick: (ms: number) => (t += ms) };
}

describe("request tokens", () => {
  it("verifies its own token until it expires", () => {
    const { tokens, tick } = setup();
    const a = tokens.issue("vera");
    expect(a?.expiresAt).toBe(1_060_000);
    expect(tokens.verify(a?.token ?? "")).toEqual({ username: "vera", role: "viewer" });
    tick(60_000);
    expect(tokens.verify(a?.token ?? "")).toBeNull();
  });

  it("is ended by a new password, another role, removal or sign-out; a later one works", () => {
    const { tokens, users, tick } = setup();
    const a = tokens.issue("vera")?.token ?? "";
    users.set("vera", { role: "viewer", hash: "scrypt$2" });
    expect(tokens.verify(a)).toBeNull();
    const b = tokens.issue("vera")?.token ?? "";
    users.set("vera", { role: "admin", hash: "scrypt$2" });
    expect(tokens.verify(b)).toBeNull();
    const c = tokens.issue("vera")?.token ?? "";
    tick(1);
    tokens.signOut("vera");
    expect(tokens.verify(c)).toBeNull();
    tick(1);
    const d = tokens.issue("vera")?.token ?? "";
    expect(tokens.verify(d)).toEqual({ username: "vera", role: "admin" });
    users.delete("vera");
    expect(tokens.verify(d)).toBeNull();
    expect(tokens.issue("vera")).toBeNull();
  });

  it("refuses forged or altered tokens and another fleet's", () => {
    const { tokens } = setup();
    const a = tokens.issue("vera")?.token ?? "";
    const [p, claims, sig] = a.split(".");
    const forged = Buffer.from(JSON.stringify({ u: "vera", r: "admin", e: 9e15 })).toString("base64url");
    for (const bad of ["", "x", `${p}.${forged}.${sig}`, `${p}.${claims}.${sig}x`, `${p}.${claims}.${sig}.x`, `rt2.${claims}.${sig}`, "rt1.!!!.x"]) {
      expect(tokens.verify(bad)).toBeNull();
    }
    const other = createRequestTokens({ key: requestTokenKey("another-fleet-secret-xx"), users: { credentials: () => ({ role: "viewer", hash: "scrypt$1" }) } });
    expect(other.verify(a)).toBeNull();
  });
});
