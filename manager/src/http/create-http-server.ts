import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { checkCsrf } from "./csrf-guard.js";
import { createStaticFiles } from "./static-files.js";
import { ManagerErrorCodes } from "../errors.js";
import { PROBLEM_TYPE, problemBody } from "../front/rest/problem.js";

/** A handler mounted under /api (the REST adapter); returns false when it did not answer. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HttpDeps {
  log: Logger;
  /** Folder of the built dashboard; null serves no files. */
  staticDir: string | null;
  /** Liveness detail for /healthz. */
  health: () => Record<string, unknown>;
  /** Whether the server can do its work (/readyz): a flag, or a flag with the checks behind it. */
  ready: () => boolean | { ready: boolean; checks: Record<string, unknown> };
  /** PEM contents: HTTPS (and so WSS) on this port (docs/deployment.md §"TLS"). */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
  /** Origins besides the server's own that may change state through /api (csrf-guard.ts). */
  allowedOrigins?: readonly string[];
}

/** A handler of one exact path outside /api (e.g. /metrics); returns false when it did not answer. */
export type PathHandler = ApiHandler;

const json = (res: ServerResponse, status: number, body: unknown, type = "application/json") => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": `${type}; charset=utf-8`,
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
};
/** An error answer as RFC 9457 problem details (front/rest/problem.ts). */
const problem = (res: ServerResponse, status: number, code: string, message: string) =>
  json(res, status, problemBody({ code, message, status }), PROBLEM_TYPE);

/**
 * The HTTP port (docs/protocol.md §"Ports"): dashboard files, /healthz, /readyz, the REST API under
 * /api (handler injected), and MQTT over WebSocket at /mqtt (the broker hooks 'upgrade').
 */
export function createHttpServer(deps: HttpDeps) {
  const log = deps.log.child({ module: "http" });
  const files = deps.staticDir ? createStaticFiles(deps.staticDir) : null;
  let api: ApiHandler | null = null;
  const paths = new Map<string, PathHandler>();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/healthz") return json(res, 200, { status: "ok", ...deps.health() });
    if (path === "/readyz") {
      const r = deps.ready();
      const { ready, checks } = typeof r === "boolean" ? { ready: r, checks: undefined } : r;
      return json(res, ready ? 200 : 503, { status: ready ? "ready" : "not-ready", ...(checks ? { checks } : {}) });
    }
    const isApi = path === "/api" || path.startsWith("/api/");
    if (isApi) {
      const refused = checkCsrf(req, deps.allowedOrigins ?? [], deps.tls !== undefined);
      if (refused) return problem(res, refused.status, refused.code, refused.message);
    }
    const own = paths.get(path);
    if (own && (await own(req, res))) return;
    if (isApi) {
      if (api && (await api(req, res))) return;
      return problem(res, 404, ManagerErrorCodes.NOT_FOUND, "no such API route");
    }
    if (files && (await files(req, res))) return;
    problem(res, 404, ManagerErrorCodes.NOT_FOUND, "not found");
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, "http request failed");
      if (!res.headersSent) problem(res, 500, ManagerErrorCodes.INTERNAL, "internal error");
      else res.destroy();
    });
  };
  // An https.Server is an http.Server with TLS underneath (same request, upgrade and close API).
  const server: Server = deps.tls ? createHttpsServer(deps.tls, handle) : createServer(handle);
  server.keepAliveTimeout = 5000;

  return {
    server,
    setApiHandler(h: ApiHandler | null): void {
      api = h;
    },
    /** Mounts (or with null removes) the handler of one exact path outside /api. */
    setPathHandler(path: string, h: PathHandler | null): void {
      if (h) paths.set(path, h);
      else paths.delete(path);
    },
    async start(port: number, bind: string): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, bind, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    },
    async stop(): Promise<void> {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
export type HttpServer = ReturnType<typeof createHttpServer>;
