import { CodedError } from "@bbb/shared";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { isForbidden, isUnknownMethod } from "../../dashboard/src/errors.js";
import { invokeMethod } from "../src/front/invoke.js";
import { defineMethod } from "../src/service/method.js";
import { z } from "zod";

const log = pino({ level: "silent" });
const viewer = { username: "v", role: "viewer" as const, via: "mqtt" as const };
const adminOnly = defineMethod({
  name: "test.admin",
  description: "admin only",
  role: "admin",
  params: z.object({}),
  result: z.null(),
  handler: () => null,
});

/** The dashboard reacts to what the manager answers: the codes it checks are the ones sent. */
describe("manager answers as the dashboard reads them", () => {
  it("recognises the manager's unknown-method and forbidden answers", async () => {
    const table = new Map([[adminOnly.name, adminOnly]]);
    const unknown = await invokeMethod(table, "no.such", {}, viewer, log);
    expect(unknown.ok).toBe(false);
    if (unknown.ok) return;
    expect(isUnknownMethod(new CodedError(unknown.error.code, unknown.error.message))).toBe(true);
    expect(isForbidden(new CodedError(unknown.error.code, unknown.error.message))).toBe(false);
    const forbidden = await invokeMethod(table, "test.admin", {}, viewer, log);
    if (forbidden.ok) throw new Error("a viewer called an admin method");
    expect(isForbidden(new CodedError(forbidden.error.code, forbidden.error.message))).toBe(true);
    expect(isUnknownMethod(new CodedError(forbidden.error.code, forbidden.error.message))).toBe(false);
  });
});
