import { describe, expect, it } from "vitest";
import { createConnectAdmission } from "./connect-admission.js";

function rig(maxPending: number, maxWaitMs = 2000) {
  let t = 0;
  const a = createConnectAdmission<object>({ maxPending, maxWaitMs, now: () => t });
  return { a, advance: (ms: number) => (t += ms) };
}

describe("connect admission", () => {
  it("admits up to maxPending CONNECTs in progress, then sheds until one is answered", () => {
    const { a } = rig(2);
    const [c1, c2, c3] = [{}, {}, {}];
    expect(a.admit(c1)).toBe(true);
    expect(a.admit(c2)).toBe(true);
    expect(a.admit(c3)).toBe(false);
    expect(a.pending()).toBe(2);
    a.done(c1);
    a.done(c1);
    expect(a.pending()).toBe(1);
    expect(a.admit(c3)).toBe(true);
  });

  it("sheds while the oldest CONNECT in progress has waited maxWaitMs, admits again once it is answered", () => {
    const { a, advance } = rig(100, 2000);
    const slow = {};
    expect(a.admit(slow)).toBe(true);
    advance(1999);
    expect(a.admit({})).toBe(true);
    advance(1);
    expect(a.admit({})).toBe(false);
    a.done(slow);
    // The next oldest has waited 1 ms.
    expect(a.admit({})).toBe(true);
  });

  it("a CONNECT stuck far longer than any queue stops counting, so it cannot shed everyone for ever", () => {
    const { a, advance } = rig(100, 2000);
    a.admit({});
    advance(5000);
    expect(a.admit({})).toBe(false);
    advance(5000);
    expect(a.admit({})).toBe(true);
    expect(a.pending()).toBe(1);
  });
});
