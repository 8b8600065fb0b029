import { createApiDocs, isDocsPath } from "./api-docs.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { MAX_REQUEST_BYTES } from "@bbb/shared";
import type { AuditSink } from "../../service/audit.js";
import type { CallContext, MethodTable } from "../../service/method.js";
import { createLoginThrottle, type LoginThrottle } from "@bbb/shared";
import type { Authenticate, Principal } from "../auth-types.js";
import { ManagerErrorCodes, ManagerErrors } from "../../errors.js";
import { invokeDef } from "../invoke.js";
import type { TokenService } from "../tokens.js";
import { HttpError, readJsonBody, sendAppError, sendError, sendHttpError, sendJson } from "./http-io.js";
import { buildOpenApi } from "./openapi.js";
import { coercePathParams, coerceQuery } from "./query.js";
import { claimedUsername, createRequestAuthenticator, refuseThrottled } from "./request-auth.js";
import { compileRoutes, matchRoute, type Route } from "./routes.js";

export interface RestLimits {
  /** Largest JSON body (nothing a client sends reaches an unbounded buffer); 413 beyond it. */
  maxBodyBytes: number;
}

/** A handler for a fixed path under the base (e.g. the MQTT HTTP-auth endpoints). */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;

export interface RestHandlerDeps {
  methods: MethodTable;
  authenticate: Authenticate;
  log: Logger;
  limits?: Partial<RestLimits>;
  /** Enables Bearer auth and POST /api/auth/token. */
  tokens?: TokenService;
  throttle?: LoginThrottle;
  /** Mount point; default /api. */
  basePath?: string;
  /** Version in the OpenAPI document's info. */
  version?: string;
  /** Unauthenticated POST routes under the base path, answered before the method routes. */
  extraPostRoutes?: Record<string, ExtraRoute>;
  /** Leave unknown paths under the base to the caller (return false) instead of answering 404. */
  passUnmatched?: boolean;
  /** Records mutating calls (service/audit.ts). */
  audit?: AuditSink;
}

export type RestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The REST front door under /api: one route per method with an `http` mapping (path params,
 * query for GET/DELETE, JSON body otherwise), Basic or Bearer auth, and an OpenAPI document
 * generated from the same table. Returns false for requests it does not handle.
 */
export function createRestHandler(deps: RestHandlerDeps): RestHandler {
  const log = deps.log.child({ module: "rest" });
  const base = (deps.basePath ?? "/api").replace(/\/$/, "");
  const maxBody = deps.limits?.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const docs = createApiDocs(base);
  const throttle = deps.throttle ?? createLoginThrottle();
  const routes: Route[] = compileRoutes(deps.methods, log);
  const authenticateRequest = createRequestAuthenticator({ authenticate: deps.authenticate, tokens: deps.tokens });
  let openapi: string | null = null;
  const openApiText = () =>
    (openapi ??= JSON.stringify(
      buildOpenApi(routes, { version: deps.version ?? "0.0.0" }, { tokens: deps.tokens !== undefined, log }),
    ));

  async function requireAuth(
    req: IncomingMessage,
    res: ServerResponse,
    opts: { passwordOnly?: boolean } = {},
  ): Promise<Principal | null> {
    const peer = req.socket.remoteAddress ?? "?";
    const user = claimedUsername(req);
    if (user !== null && refuseThrottled(res, throttle.begin(peer, user))) return null;
    let outcome;
    try {
      outcome = await authenticateRequest(req, opts);
    } catch (e: unknown) {
      log.error({ err: e }, "authentication backend failed");
      sendError(res, ManagerErrors.INTERNAL, "internal error");
      return null;
    } finally {
      if (user !== null) throttle.end(peer, user);
    }
    if (outcome.ok) {
      throttle.succeed(peer, user);
      return outcome.principal;
    }
    if (outcome.reason === "invalid") await sleep(throttle.fail(peer, user));
    // Never a Basic challenge: a browser would prompt, then send the cached password with every
    // request of any site to this server (docs/protocol.md "REST API"). Basic still works when sent.
    const challenge = 'Bearer realm="bbb"';
    sendError(
      res,
      ManagerErrors.UNAUTHENTICATED,
      outcome.reason === "missing" ? "authentication required" : "invalid credentials",
      { "www-authenticate": challenge },
    );
    return null;
  }

  async function serveMethod(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    pathParams: Record<string, string>,
    url: URL,
  ) {
    const principal = await requireAuth(req, res);
    if (!principal) return;
    let params: Record<string, unknown> = {};
    if (route.verb === "GET" || route.verb === "DELETE") params = coerceQuery(url.searchParams, route.paramsSchema);
    if (route.verb !== "GET") {
      const body = await readJsonBody(req, maxBody);
      if (body !== undefined) {
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          throw new HttpError(ManagerErrors.INVALID_PARAMS, "body must be a JSON object of params");
        }
        params = { ...params, ...(body as Record<string, unknown>) };
      }
    }
    params = { ...params, ...coercePathParams(pathParams, route.paramsSchema) };
    const abort = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const ctx: CallContext = {
      username: principal.username,
      role: principal.role,
      via: "rest",
      peer: req.socket.remoteAddress ?? "?",
      signal: abort.signal,
      ...(deps.audit ? { audit: deps.audit } : {}),
    };
    const rawParams = Object.keys(params).length === 0 ? undefined : params;
    const out = await invokeDef(route.def, rawParams, ctx, log);
    if (out.ok) sendJson(res, 200, out.data);
    else sendAppError(res, out.error);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, sub: string, url: URL): Promise<void> {
    const verb = req.method ?? "GET";
    if (isDocsPath(sub) && (await docs(req, res, sub))) return;
    if (sub === "/openapi.json" && verb === "GET") {
      const text = openApiText();
      res.writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    if (sub === "/auth/token" && verb === "POST" && deps.tokens) {
      // The password, never a token: a token minting its successor would outlive its user.
      const principal = await requireAuth(req, res, { passwordOnly: true });
      if (principal) {
        const { token, expiresAt } = deps.tokens.issue(principal.username, principal.role);
        sendJson(res, 200, { token, expiresAt });
      }
      return;
    }
    const extra = verb === "POST" ? deps.extraPostRoutes?.[sub] : undefined;
    if (extra) {
      await extra(req, res, await readJsonBody(req, maxBody));
      return;
    }
    const m = matchRoute(routes, verb, sub);
    if (m.kind === "wrong-verb") {
      // 405, with the code of an unknown method: no method has this verb and path.
      sendAppError(
        res,
        {
          code: ManagerErrorCodes.UNKNOWN_METHOD,
          message: `use ${m.allow.join(", ")}`,
          status: 405,
          rpc: ManagerErrors.UNKNOWN_METHOD.rpc,
        },
        { allow: m.allow.join(", ") },
      );
      return;
    }
    if (m.kind === "none") {
      sendError(res, ManagerErrors.NOT_FOUND, `no route ${verb} ${base}${sub}`);
      return;
    }
    await serveMethod(req, res, m.route, m.params, url);
  }

  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return false;
    }
    const path = url.pathname;
    if (path !== base && !path.startsWith(`${base}/`)) return false;
    const sub = path.slice(base.length) || "/";
    if (deps.passUnmatched && !isKnown(sub, req.method ?? "GET")) return false;
    serve(req, res, sub, url).catch((e: unknown) => {
      if (e instanceof HttpError) {
        sendHttpError(res, e);
        return;
      }
      log.error({ err: e, path }, "REST request failed");
      sendError(res, ManagerErrors.INTERNAL, "internal error");
    });
    return true;
  };

  function isKnown(sub: string, verb: string): boolean {
    if (sub === "/openapi.json" || isDocsPath(sub) || (sub === "/auth/token" && deps.tokens)) return true;
    if (deps.extraPostRoutes?.[sub]) return true;
    return matchRoute(routes, verb, sub).kind !== "none";
  }
}
