import { describe, expect, it } from "vitest";
import { createVerifiedCache } from "./verified-cache.js";

describe("verified-password cache", () => {
  it("hits only for the same user, password and stored hash, within its lifetime", () => {
    let t = 0;
    const c = createVerifiedCache({ ttlMs: 1000, now: () => t });
    expect(c.hit("op", "pw-1", "h1")).toBe(false);
    c.remember("op", "pw-1", "h1");
    expect(c.hit("op", "pw-1", "h1")).toBe(true);
    expect(c.hit("op", "pw-2", "h1")).toBe(false);
    expect(c.hit("other", "pw-1", "h1")).toBe(false);
    // A password change (new stored hash) ends the entry at once.
    expect(c.hit("op", "pw-1", "h2")).toBe(false);
    expect(c.hit("op", "pw-1", "h1")).toBe(false);
    c.remember("op", "pw-1", "h1");
    t = 1001;
    expect(c.hit("op", "pw-1", "h1")).toBe(false);
  });
  it("stays bounded", () => {
    const c = createVerifiedCache({ max: 2 });
    c.remember("a", "p", "h");
    c.remember("b", "p", "h");
    c.remember("c", "p", "h");
    expect(c.hit("a", "p", "h")).toBe(false);
    expect(c.hit("c", "p", "h")).toBe(true);
  });
});
