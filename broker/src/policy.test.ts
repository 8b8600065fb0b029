import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPolicy } from "./policy.js";
import { deriveBoardToken, deriveManagerPassword } from "./tokens.js";
import { createUserStore } from "./user-store.js";

const secret = "policy-test-secret-0123456789";
let dir: string;
let policy: ReturnType<typeof createPolicy>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-policy-"));
  const users = createUserStore({ file: join(dir, "users.json"), log: pino({ level: "silent" }) });
  await users.upsert("vera", "viewer", "viewer-pass-1");
  policy = createPolicy({ topicRoot: "bbb", fleetSecret: secret, users });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

it("answers external brokers with the same rules", async () => {
  expect(await policy.authenticate("b1", deriveBoardToken(secret, "b1"), "b1")).toEqual({ ok: true, role: "agent" });
  expect(await policy.authenticate("b1", deriveBoardToken(secret, "b1"), "other")).toEqual({ ok: false, reason: "client-id-mismatch" });
  expect(await policy.authenticate("manager", deriveManagerPassword(secret), "m")).toEqual({ ok: true, role: "manager" });
  expect(await policy.authenticate("vera", "nope-nope-nope", "d")).toEqual({ ok: false, reason: "bad-password" });
  expect(policy.canPublish("b1", "b1", "bbb/b1/heartbeat", true)).toBe(true);
  expect(policy.canPublish("b1", "b1", "bbb/b2/heartbeat", true)).toBe(false);
  expect(policy.canPublish("b1", "x", "bbb/b1/heartbeat", true)).toBe(false);
  expect(policy.canPublish("vera", "d", "bbb/b1/cmd/reboot", false)).toBe(false);
  // These brokers ask only at SUBSCRIBE: a filter reaching requests or others' replies is refused.
  expect(policy.canSubscribe("vera", "d", "bbb/#")).toBe(false);
  expect(policy.canSubscribe("vera", "d", "bbb/registry/#")).toBe(true);
  expect(policy.canSubscribe("vera", "d", "bbb/manager/response/vera/#")).toBe(true);
  expect(policy.canSubscribe("nobody", "d", "bbb/#")).toBe(false);
  expect(policy.canReceive("vera", "d", "bbb/manager/response/e")).toBe(false);
  expect(policy.canReceive("vera", "d", "bbb/manager/response/vera/r1")).toBe(true);
  expect(policy.canReceive("vera", "d", "bbb/manager/request/auth.login")).toBe(false);
});
