import { describe, expect, it } from "vitest";
import { CodedError } from "@bbb/shared";
import { detectRole } from "./role.js";

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
