import { describe, expect, it } from "vitest";
import { createVerifiedCache } from "./verified-cache.js";

describe("verified-password cache", () => {
  it("hits only for the same user, password and stored hash, within its lifetime", () => {
    let t = 0;
    const c = createVerifiedCache({ ttlMs: 1000, now: () => t });
    expect(c.hit("op", "pw-1", "h1")).toBeUndefined();
    c.remember("op", "pw-1", "h1", true);
    expect(c.hit("op", "pw-1", "h1")).toBe(true);
    expect(c.hit("op", "pw-2", "h1")).toBeUndefined();
    expect(c.hit("other", "pw-1", "h1")).toBeUndefined();
    // A password change (new stored hash) ends the entry at once.
    expect(c.hit("op", "pw-1", "h2")).toBeUndefined();
    expect(c.hit("op", "pw-1", "h1")).toBeUndefined();
    c.remember("op", "pw-1", "h1", true);
    t = 1001;
    expect(c.hit("op", "pw-1", "h1")).toBeUndefined();
  });
  it("gives back the value remembered with the entry, only under its stamp", () => {
    const c = createVerifiedCache<string>();
    c.remember("op", "pw-1", "7", "operator");
    expect(c.hit("op", "pw-1", "7")).toBe("operator");
    // Another stamp (the broker's thread: the user store changed since) ends it.
    expect(c.hit("op", "pw-1", "8")).toBeUndefined();
    expect(c.hit("op", "pw-1", "7")).toBeUndefined();
  });
  it("stays bounded", () => {
    const c = createVerifiedCache({ max: 2 });
    c.remember("a", "p", "h", true);
    c.remember("b", "p", "h", true);
    c.remember("c", "p", "h", true);
    expect(c.hit("a", "p", "h")).toBeUndefined();
    expect(c.hit("c", "p", "h")).toBe(true);
  });
});
