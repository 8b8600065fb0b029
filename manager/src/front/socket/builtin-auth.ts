import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import type { Logger } from "pino";
import type { LoginThrottle } from "@bbb/shared";
import type { Authenticate, Principal } from "../auth-types.js";
import { ManagerErrors } from "../../errors.js";
import { zodIssues } from "../invoke.js";
import type { TokenService } from "../tokens.js";
import { rpcError, rpcResult, type RpcId, type RpcResponse } from "./jsonrpc.js";
import type { RpcSocketLimits } from "./limits.js";
import type { ConnState } from "./conn-state.js";

export interface AuthDeps {
  authenticate: Authenticate;
  tokens?: TokenService | undefined;
  throttle: LoginThrottle;
  log: Logger;
  limits: RpcSocketLimits;
}

export const authParamsSchema = z.union([
  z.object({ username: z.string().min(1).max(128), password: z.string().max(1024) }).strict(),
  z.object({ token: z.string().min(1).max(1024) }).strict(),
]);

/** `auth`: the first call of every connection; may be repeated to switch user. */
export async function handleAuth(deps: AuthDeps, state: ConnState, id: RpcId, params: unknown): Promise<RpcResponse> {
  const p = authParamsSchema.safeParse(params ?? {});
  if (!p.success) {
    return rpcError(id, ManagerErrors.INVALID_PARAMS, "auth needs {username, password} or {token}", {
      issues: zodIssues(p.error),
    });
  }
  const user = "username" in p.data ? p.data.username : null;
  // docs/protocol.md §"Login throttle": refused at once while the address or username waits.
  const wait = user === null ? 0 : deps.throttle.begin(state.peer, user);
  if (wait > 0)
    return rpcError(id, ManagerErrors.UNAUTHENTICATED, "too many failed logins; retry later", {
      details: { retryAfterMs: wait },
    });
  let principal: Principal | null = null;
  try {
    if ("token" in p.data) {
      principal = deps.tokens?.verify(p.data.token) ?? null;
    } else {
      const role = await deps.authenticate(p.data.username, p.data.password);
      principal = role ? { username: p.data.username, role } : null;
    }
  } catch (e: unknown) {
    deps.log.error({ err: e }, "authentication backend failed");
    return rpcError(id, ManagerErrors.INTERNAL, "internal error");
  } finally {
    if (user !== null) deps.throttle.end(state.peer, user);
  }
  if (!principal) {
    state.authFailures++;
    const delay = deps.throttle.fail(state.peer, user);
    deps.log.info(
      { peer: state.peer, user: "username" in p.data ? p.data.username : "(token)", failures: state.authFailures },
      "socket auth failed",
    );
    try {
      await sleep(delay, undefined, { signal: state.closed });
    } catch {
      // The client went away while waiting; the answer is moot.
    }
    if (state.authFailures >= deps.limits.maxAuthFailures) setImmediate(() => state.end());
    return rpcError(id, ManagerErrors.UNAUTHENTICATED, "invalid credentials");
  }
  deps.throttle.succeed(state.peer, user);
  state.principal = principal;
  deps.log.debug({ peer: state.peer, user: principal.username, role: principal.role }, "socket client authenticated");
  return rpcResult(id, { username: principal.username, role: principal.role });
}
