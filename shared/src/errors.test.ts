import { describe, expect, it } from "vitest";
import {
  CodedError,
  ErrorClass,
  ManagerReplyErrors,
  SharedErrors,
  codesOf,
  defineErrors,
  findErrorSpec,
  isCodedError,
} from "./errors.js";

describe("error catalogues", () => {
  it("maps keys to codes and finds a code's entry across catalogues", () => {
    const cat = defineErrors({ GONE: { code: "TEST_E_GONE", message: "gone", ...ErrorClass.notFound } });
    expect(codesOf(cat)).toEqual({ GONE: "TEST_E_GONE" });
    expect(findErrorSpec("TEST_E_GONE", [SharedErrors, cat])).toMatchObject({ status: 404, rpc: -32004 });
    expect(findErrorSpec("MGR_E_UNKNOWN_METHOD", [cat, ManagerReplyErrors])).toMatchObject({
      status: 404,
      rpc: -32601,
    });
    expect(findErrorSpec("TEST_E_NONE", [cat])).toBeUndefined();
  });

  it("refuses a malformed or repeated code when the catalogue is declared", () => {
    expect(() => defineErrors({ A: { code: "lower_e_x", message: "", ...ErrorClass.failed } })).toThrow(/not <WS>_E_/);
    expect(() =>
      defineErrors({
        A: { code: "TEST_E_SAME", message: "", ...ErrorClass.failed },
        B: { code: "TEST_E_SAME", message: "", ...ErrorClass.failed },
      }),
    ).toThrow(/declared twice/);
  });

  it("tells a CodedError of a given catalogue from others", () => {
    const e = new CodedError(SharedErrors.TOO_LARGE.code, "big", { limit: 1 });
    expect(isCodedError(e)).toBe(true);
    expect(isCodedError(e, SharedErrors)).toBe(true);
    expect(isCodedError(e, ManagerReplyErrors)).toBe(false);
    expect(isCodedError(new Error("plain"))).toBe(false);
    expect(e.data).toEqual({ limit: 1 });
  });
});
