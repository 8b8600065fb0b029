import { setTimeout as sleep } from "node:timers/promises";
import type { LoginThrottle } from "@bbb/shared";
import type { Logger } from "pino";
import { ManagerErrorCodes } from "../errors.js";
import type { Authenticate } from "./auth-types.js";
import type { RequestTokens } from "./request-tokens.js";

export type LoginAnswer =
  | { ok: true; data: { token: string; expiresAt: number; username: string; role: string } }
  | { ok: false; code: string; message: string };

/**
 * `auth.login {username, password}` over MQTT (docs/protocol.md §"Manager requests"): the one
 * request that needs no identity, answering a short-lived signed token (request-tokens.ts) the
 * caller then carries in its requests through any broker. The broker in between tells nothing about the publisher, so the
 * login throttle (docs/protocol.md §"Login throttle") keys both its windows on the username.
 */
export function createMqttLogin(deps: { authenticate: Authenticate; tokens: RequestTokens; throttle: LoginThrottle; log: Logger }) {
  const log = deps.log.child({ module: "mqtt-login" });
  return async function login(username: string, password: string): Promise<LoginAnswer> {
    const key = `mqtt-login:${username}`;
    const wait = deps.throttle.begin(key, username);
    if (wait > 0) return { ok: false, code: ManagerErrorCodes.UNAUTHENTICATED, message: `too many failed logins; retry in ${Math.ceil(wait / 1000)} s` };
    let role: Awaited<ReturnType<Authenticate>> = null;
    try {
      role = await deps.authenticate(username, password);
    } finally {
      deps.throttle.end(key, username);
    }
    if (!role) {
      const delay = deps.throttle.fail(key, username);
      log.info({ username }, "mqtt login failed");
      // The answer is held for the wait it owes, as on every door.
      if (delay > 0) await sleep(delay);
      return { ok: false, code: ManagerErrorCodes.UNAUTHENTICATED, message: "invalid credentials" };
    }
    deps.throttle.succeed(key, username);
    const t = deps.tokens.issue(username);
    // Removed between the check and here.
    if (!t) return { ok: false, code: ManagerErrorCodes.UNAUTHENTICATED, message: "invalid credentials" };
    return { ok: true, data: { token: t.token, expiresAt: t.expiresAt, username, role } };
  };
}
export type MqttLogin = ReturnType<typeof createMqttLogin>;
