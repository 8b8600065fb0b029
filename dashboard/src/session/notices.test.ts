import { CodedError, ManagerReplyCodes } from "@bbb/shared";
import { describe, expect, it } from "vitest";
import { DashboardErrorCodes, errorText } from "../errors.js";
import { createNotices, NOTICE_MS } from "./notices.js";

describe("createNotices", () => {
  it("every notice goes away by itself, an error after long enough to read it", () => {
    const timers: { fn: () => void; ms: number }[] = [];
    const n = createNotices((fn, ms) => timers.push({ fn, ms }));
    n.push("success", "saved");
    n.push("error", "failed");
    expect(timers.map((t) => t.ms)).toEqual([NOTICE_MS.success, NOTICE_MS.error]);
    for (const t of timers) t.fn();
    expect(n.list.value).toEqual([]);
  });
});

describe("errorText", () => {
  it("says what to do next for the codes an operator meets", () => {
    expect(errorText(new CodedError(DashboardErrorCodes.TIMEOUT, "hosts.command: no answer from the manager within 30 s"))).toBe(
      "hosts.command: no answer from the manager within 30 s (DASH_E_TIMEOUT) The server may be busy or unreachable: try again in a moment.",
    );
    expect(errorText(new CodedError(ManagerReplyCodes.FORBIDDEN, "operator role required"))).toContain("ask an admin");
    expect(errorText(new Error("plain"))).toBe("plain");
  });
});
