import { describe, expect, it } from "vitest";
import { CodedError } from "@bbb/shared";
import { createRequestToken } from "./request-token.js";

function setup(answers: (() => Promise<unknown>)[]) {
  const calls: { method: string; params: unknown }[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const t = createRequestToken({
    requester: {
      call: ((method: string, params: unknown) => {
        calls.push({ method, params });
        const next = answers.shift();
        return next ? next() : Promise.reject(new Error("no answer"));
      }) as never,
    },
    username: "vera",
    password: "pw-of-vera",
    now: () => 1_000_000,
    setTimer: (fn, ms) => (timers.push({ fn, ms }), timers.length),
    clearTimer: () => undefined,
  });
  return { t, calls, timers };
}

describe("createRequestToken", () => {
  it("logs in with the dashboard's credentials and renews half an hour before expiry", async () => {
    const { t, calls, timers } = setup([
      () => Promise.resolve({ token: "a.b", expiresAt: 1_000_000 + 12 * 3600_000 }),
      () => Promise.resolve({ token: "c.d", expiresAt: 1_000_000 + 120_000 }),
    ]);
    expect(t.get()).toBeNull();
    await t.refresh();
    expect(calls).toEqual([{ method: "auth.login", params: { username: "vera", password: "pw-of-vera" } }]);
    expect(t.get()).toBe("a.b");
    expect(timers[0]?.ms).toBe(12 * 3600_000 - 30 * 60_000);
    timers[0]?.fn();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.get()).toBe("c.d");
    // Never sooner than a minute.
    expect(timers[1]?.ms).toBe(60_000);
    t.stop();
    expect(t.get()).toBeNull();
  });

  it("keeps no token when the manager refuses", async () => {
    const { t } = setup([() => Promise.reject(new CodedError("MGR_E_UNAUTHENTICATED", "invalid credentials"))]);
    await expect(t.refresh()).rejects.toThrow("invalid credentials");
    expect(t.get()).toBeNull();
  });
});
