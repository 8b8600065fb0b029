import { expect, it } from "vitest";
import { createLoginThrottle } from "./login-throttle.js";

const opts = {
  address: { baseMs: 100, maxMs: 10_000, freeFailures: 0 },
  user: { baseMs: 100, maxMs: 400, freeFailures: 0 },
  maxInFlight: 3,
};

it("refuses every attempt inside an address's window, a right password too, and lets it grow", () => {
  let now = 0;
  const th = createLoginThrottle(opts, () => now);
  expect(th.begin("10.0.0.1", "alice")).toBe(0);
  expect(th.fail("10.0.0.1", "alice")).toBe(100);
  th.end("10.0.0.1", "alice");
  expect(th.begin("10.0.0.1", "bob")).toBe(100);
  now += 100;
  expect(th.begin("10.0.0.1", "bob")).toBe(0);
  expect(th.fail("10.0.0.1", "bob")).toBe(200);
  th.end("10.0.0.1", "bob");
  for (let i = 0; i < 10; i++) th.fail("10.0.0.1", `u${i}`);
  expect(th.blockedFor("10.0.0.1")).toBe(10_000);
  expect(th.begin("10.0.0.2", "carol")).toBe(0);
});

it("caps the window of a username failing from other addresses, and a success clears it", () => {
  let now = 0;
  const th = createLoginThrottle(opts, () => now);
  for (let i = 0; i < 20; i++) th.fail(`10.0.1.${i}`, "alice");
  expect(th.begin("10.0.2.1", "alice")).toBe(400);
  expect(th.begin("10.0.2.1", "bob")).toBe(0);
  th.end("10.0.2.1", "bob");
  now += 400;
  expect(th.begin("10.0.2.1", "alice")).toBe(0);
  th.succeed("10.0.2.1", "alice");
  th.end("10.0.2.1", "alice");
  expect(th.blockedFor("10.0.9.9", "alice")).toBe(0);
});

it("runs a bounded number of checks at once per key, one once the key has failed", () => {
  let now = 0;
  const th = createLoginThrottle(opts, () => now);
  expect([0, 1, 2, 3].map(() => th.begin("10.0.0.1", "alice"))).toEqual([0, 0, 0, 1]);
  for (let i = 0; i < 3; i++) th.end("10.0.0.1", "alice");
  th.fail("10.0.0.1");
  now += 100;
  expect([0, 1].map(() => th.begin("10.0.0.1"))).toEqual([0, 1]);
  th.end("10.0.0.1");
  expect(th.begin("10.0.0.1")).toBe(0);
});

it("forgets and bounds its records", () => {
  let now = 0;
  const th = createLoginThrottle({ ...opts, address: { ...opts.address, maxKeys: 2, forgetAfterMs: 1000 } }, () => now);
  for (const a of ["a", "b", "c"]) th.fail(a);
  expect(th.size()).toBe(2);
  now += 1000;
  expect(th.blockedFor("c")).toBe(0);
});
