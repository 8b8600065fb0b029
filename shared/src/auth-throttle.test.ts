import { expect, it } from "vitest";
import { createAuthThrottle } from "./auth-throttle.js";

it("delays repeated failures per address, bounded, and forgets them", () => {
  let now = 0;
  const th = createAuthThrottle({ baseMs: 100, maxMs: 1000, forgetAfterMs: 60_000, maxKeys: 2, freeFailures: 1 }, () => now);
  expect(th.delayFor("a")).toBe(0);
  th.fail("a");
  expect(th.delayFor("a")).toBe(0);
  th.fail("a");
  expect(th.delayFor("a")).toBe(100);
  th.fail("a");
  expect(th.delayFor("a")).toBe(200);
  for (let i = 0; i < 20; i++) th.fail("a");
  expect(th.delayFor("a")).toBe(1000);
  expect(th.delayFor("b")).toBe(0);
  now += 60_001;
  expect(th.delayFor("a")).toBe(0);
  th.fail("x");
  th.fail("y");
  th.fail("z");
  expect(th.size()).toBe(2);
});
