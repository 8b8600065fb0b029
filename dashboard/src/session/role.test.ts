import { describe, expect, it } from "vitest";
import { CodedError } from "../errors.js";
import { detectRole } from "./role.js";

const err = (code: string) => () => Promise.reject(new CodedError(code, code));
const ok = () => Promise.resolve({});

describe("detectRole", () => {
  it("admin when users.list answers", async () => {
    expect(await detectRole({ adminCall: ok, operatorCall: err("MGR_E_FORBIDDEN") })).toBe("admin");
  });
  it("operator when the operator probe is refused only for its (empty) params", async () => {
    expect(await detectRole({ adminCall: err("MGR_E_FORBIDDEN"), operatorCall: err("MGR_E_INVALID_PARAMS") })).toBe("operator");
  });
  it("viewer when forbidden, and on any doubt (timeouts)", async () => {
    expect(await detectRole({ adminCall: err("MGR_E_FORBIDDEN"), operatorCall: err("MGR_E_FORBIDDEN") })).toBe("viewer");
    expect(await detectRole({ adminCall: err("DASH_E_TIMEOUT"), operatorCall: err("DASH_E_TIMEOUT") })).toBe("viewer");
  });
});
