import { describe, expect, it } from "vitest";
import { CodedError } from "@bbb/shared";
import { detectRole, hasRole } from "./role.js";

const info = (role: "viewer" | "operator" | "admin") => () => Promise.resolve({ caller: { role } });

describe("detectRole", () => {
  it("takes the role the manager reports for the caller", async () => {
    expect(await detectRole(info("admin"))).toBe("admin");
    expect(await detectRole(info("operator"))).toBe("operator");
    expect(await detectRole(info("viewer"))).toBe("viewer");
  });
  it("falls back to viewer on any failure (timeouts, errors)", async () => {
    expect(await detectRole(() => Promise.reject(new CodedError("DASH_E_TIMEOUT", "timeout")))).toBe("viewer");
  });
});

describe("hasRole", () => {
  it("ranks viewer < operator < admin and allows nothing before the role is known", () => {
    expect(hasRole("operator", "operator")).toBe(true);
    expect(hasRole("admin", "operator")).toBe(true);
    expect(hasRole("viewer", "operator")).toBe(false);
    expect(hasRole("operator", "admin")).toBe(false);
    expect(hasRole(null, "viewer")).toBe(false);
  });
});
