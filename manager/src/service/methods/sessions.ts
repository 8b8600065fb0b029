import {
  auditListParamsSchema,
  auditListResultSchema,
  tokensListParamsSchema,
  tokensListResultSchema,
  tokensRevokeParamsSchema,
  tokensRevokeResultSchema,
  usersSignOutParamsSchema,
  usersSignOutResultSchema,
} from "@bbb/shared";
import { CodedError } from "@bbb/shared";
import { ManagerErrorCodes } from "../../errors.js";
import type { Sessions } from "../../front/sessions.js";
import { defineMethod, type CallContext, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";

const isAdmin = (ctx: CallContext) => ctx.role === "admin";
const forbidden = (msg: string) => new CodedError(ManagerErrorCodes.FORBIDDEN, msg);

/** tokens.list / tokens.revoke / users.signOut (docs/protocol.md "Sessions") and audit.list. */
export function sessionMethods(deps: ServiceDeps): MethodDef[] {
  const sessions = (): Sessions => {
    if (!deps.sessions) throw new CodedError(ManagerErrorCodes.UNAVAILABLE, "sessions are not available here");
    return deps.sessions;
  };
  return [
    defineMethod({
      name: "tokens.list",
      description: "Active API tokens (never the tokens themselves): an admin sees everyone's, others their own.",
      role: "viewer",
      params: tokensListParamsSchema,
      result: tokensListResultSchema,
      http: { method: "GET", path: "/tokens" },
      handler: (p, ctx) => {
        const who = isAdmin(ctx) ? p.username : ctx.username;
        if (!isAdmin(ctx) && p.username !== undefined && p.username !== ctx.username)
          throw forbidden("only an admin sees other users' tokens");
        return {
          items: sessions()
            .tokens.list()
            .filter((t) => who === undefined || t.username === who),
        };
      },
    }),
    defineMethod({
      name: "tokens.revoke",
      description: "Revokes one API token at once on every door and closes the connections it opened.",
      role: "viewer",
      params: tokensRevokeParamsSchema,
      result: tokensRevokeResultSchema,
      http: { method: "DELETE", path: "/tokens/{id}" },
      handler: (p, ctx) => {
        const t = sessions()
          .tokens.list()
          .find((x) => x.id === p.id);
        if (t && !isAdmin(ctx) && t.username !== ctx.username)
          throw forbidden("only an admin revokes other users' tokens");
        return { revoked: t !== undefined && sessions().revokeToken(p.id) };
      },
    }),
    defineMethod({
      name: "users.signOut",
      description:
        "Signs a user out everywhere: every token revoked, every live connection closed (yourself by default).",
      role: "viewer",
      params: usersSignOutParamsSchema,
      result: usersSignOutResultSchema,
      http: { method: "POST", path: "/users/sign-out" },
      handler: (p, ctx) => {
        const username = p.username ?? ctx.username;
        if (username !== ctx.username && !isAdmin(ctx)) throw forbidden("only an admin signs other users out");
        return { username, ...sessions().signOut(username, `signed out by ${ctx.username}`) };
      },
    }),
    defineMethod({
      name: "audit.list",
      description:
        "The audit trail of mutating calls, newest first: who, role, door, peer, method, redacted params, result.",
      role: "admin",
      params: auditListParamsSchema,
      result: auditListResultSchema,
      http: { method: "GET", path: "/audit" },
      handler: (p) => ({ items: deps.store.audit.list(p) }),
    }),
  ];
}
