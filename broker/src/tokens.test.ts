import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { boardIdSchema } from "@bbb/shared";
import { deriveBoardToken, deriveManagerPassword, safeEqual } from "./tokens.js";

describe("tokens", () => {
  it("derives a board token as HMAC-SHA256(secret, board id) in lower-case hex", () => {
    const expected = createHmac("sha256", "s3cret-s3cret-s3cret").update("a0f6fd8b1c22").digest("hex");
    expect(deriveBoardToken("s3cret-s3cret-s3cret", "a0f6fd8b1c22")).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it("derives a manager password no board token can equal", () => {
    const m = deriveManagerPassword("s3cret-s3cret-s3cret");
    expect(m).toMatch(/^[0-9a-f]{64}$/);
    expect(m).not.toBe(deriveBoardToken("s3cret-s3cret-s3cret", "manager"));
    expect(boardIdSchema.safeParse("bbb-manager:MQTT").success).toBe(false);
  });

  it("compares in constant time and handles length differences", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
  });
});
