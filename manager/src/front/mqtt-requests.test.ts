import { createTopics, createLoginThrottle, type Role } from "@bbb/shared";
import { deriveStampKey, signRequestAuth } from "@bbb/broker";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineMethod, type MethodTable } from "../service/method.js";
import { createMqttLogin } from "./mqtt-login.js";
import { createMqttRequests } from "./mqtt-requests.js";
import { createRequestTokens, requestTokenKey } from "./request-tokens.js";

const topics = createTopics("bbb");
const key = deriveStampKey("fleet-secret-for-unit-tests");
const users = new Map<string, { role: Role; hash: string; password: string }>([["vera", { role: "viewer", hash: "scrypt$v", password: "vera-password" }]]);

function setup() {
  const sent: { topic: string; body: { transaction: string; status: string; data?: unknown; error?: { code: string } } }[] = [];
  const table: MethodTable = new Map([
    ["whoami", defineMethod({ name: "whoami", description: "", role: "viewer", params: z.unknown(), result: z.unknown(), handler: (_p, ctx) => ({ username: ctx.username, role: ctx.role }) })],
    ["admin.only", defineMethod({ name: "admin.only", description: "", role: "admin", params: z.unknown(), result: z.unknown(), handler: () => 1 })],
  ]);
  const requestTokens = createRequestTokens({ key: requestTokenKey("fleet-secret-for-unit-tests"), users: { credentials: (u) => users.get(u) ?? null } });
  const log = pino({ level: "silent" });
  const r = createMqttRequests({
    log,
    topics,
    table: () => table,
    publish: (topic, payload) => sent.push({ topic, body: JSON.parse(payload) as (typeof sent)[number]["body"] }),
    stampKey: key,
    requestTokens,
    login: createMqttLogin({
      authenticate: (u, p) => Promise.resolve(users.get(u)?.password === p ? (users.get(u)?.role ?? null) : null),
      tokens: requestTokens,
      throttle: createLoginThrottle({ address: { baseMs: 1, maxMs: 1 }, user: { baseMs: 1, maxMs: 1 } }),
      log,
    }),
  });
  const ask = async (method: string, body: unknown) => {
    const before = sent.length;
    r.handle(topics.managerRequest(method), Buffer.from(JSON.stringify(body)));
    for (let i = 0; i < 50 && sent.length === before; i++) await new Promise((res) => setTimeout(res, 5));
    return sent.slice(before);
  };
  return { ask, requestTokens };
}

describe("MQTT requests: who asks, and where the answer goes", () => {
  it("trusts a signed stamp: old replies to the client id, replyTo to the user's topic", async () => {
    const { ask } = setup();
    const auth = signRequestAuth(key, { username: "vera", role: "viewer", clientId: "dash-1" }, "t1");
    expect(await ask("whoami", { transaction: "t1", auth })).toEqual([{ topic: "bbb/manager/response/dash-1", body: { transaction: "t1", status: "ok", data: { username: "vera", role: "viewer" } } }]);
    const [r] = await ask("whoami", { transaction: "t1", auth, replyTo: "r1" });
    expect(r?.topic).toBe("bbb/manager/response/vera/r1");
  });

  it("drops a forged or unsigned stamp, and a request with neither stamp nor token", async () => {
    const { ask } = setup();
    const forged = { ...signRequestAuth(key, { username: "vera", role: "viewer", clientId: "d" }, "t1"), role: "admin" };
    expect(await ask("admin.only", { transaction: "t1", auth: forged, replyTo: "r1" })).toEqual([]);
    const otherKey = signRequestAuth(deriveStampKey("another-fleet-secret-000"), { username: "vera", role: "admin", clientId: "d" }, "t2");
    expect(await ask("admin.only", { transaction: "t2", auth: otherKey, replyTo: "r1" })).toEqual([]);
    expect(await ask("whoami", { transaction: "t3", replyTo: "r1" })).toEqual([]);
    expect(await ask("whoami", { transaction: "t4", replyTo: "r1", token: "rt1.bogus.x" })).toEqual([]);
  });

  it("auth.login answers a token on the named user's topic; the token carries the user's role", async () => {
    const { ask } = setup();
    const [bad] = await ask("auth.login", { transaction: "t1", replyTo: "r1", params: { username: "vera", password: "wrong" } });
    expect(bad).toMatchObject({ topic: "bbb/manager/response/vera/r1", body: { status: "error", error: { code: "MGR_E_UNAUTHENTICATED" } } });
    const [ok] = await ask("auth.login", { transaction: "t2", replyTo: "r1", params: { username: "vera", password: "vera-password" } });
    const token = (ok?.body.data as { token: string }).token;
    const [who] = await ask("whoami", { transaction: "t3", replyTo: "r2", token });
    expect(who).toEqual({ topic: "bbb/manager/response/vera/r2", body: { transaction: "t3", status: "ok", data: { username: "vera", role: "viewer" } } });
    const [denied] = await ask("admin.only", { transaction: "t4", replyTo: "r2", token });
    expect(denied?.body.error?.code).toBe("MGR_E_FORBIDDEN");
    // Without replyTo a token request has nowhere safe to be answered.
    expect(await ask("whoami", { transaction: "t5", token })).toEqual([]);
  });
});
