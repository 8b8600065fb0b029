import { expect, it } from "vitest";
import { createAuthThrottle } from "./auth-throttle.js";

it("delays repeated failures per address, bounded, and forgets them", () => {
  let now = 0;
  const th = createAuthThrottle({ baseMs: 100, maxMs: 1000, windowMs: 60_000, maxAddresses: 2 }, () => now);
  expect(th.delayFor("a")).toBe(0);
  th.recordFailure("a");
  expect(th.delayFor("a")).toBe(0);
  th.recordFailure("a");
  expect(th.delayFor("a")).toBe(100);
  th.recordFailure("a");
  expect(th.delayFor("a")).toBe(200);
  for (let i = 0; i < 20; i++) th.recordFailure("a");
  expect(th.delayFor("a")).toBe(1000);
  expect(th.delayFor("b")).toBe(0);
  now += 60_001;
  expect(th.delayFor("a")).toBe(0);
  th.recordFailure("x");
  th.recordFailure("y");
  th.recordFailure("z");
  expect(th.size()).toBe(2);
});
