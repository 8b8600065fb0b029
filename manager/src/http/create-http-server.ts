import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { createStaticFiles } from "./static-files.js";

/** A handler mounted under /api (the REST adapter); returns false when it did not answer. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HttpDeps {
  log: Logger;
  /** Folder of the built dashboard; null serves no files. */
  staticDir: string | null;
  /** Liveness detail for /healthz. */
  health: () => Record<string, unknown>;
  /** Whether the manager is connected and has rebuilt its registry (/readyz). */
  ready: () => boolean;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
};

/**
 * The HTTP port (DESIGN.md "Ports"): dashboard files, /healthz, /readyz, the REST API under
 * /api (handler injected), and MQTT over WebSocket at /mqtt (the broker hooks 'upgrade').
 */
export function createHttpServer(deps: HttpDeps) {
  const log = deps.log.child({ module: "http" });
  const files = deps.staticDir ? createStaticFiles(deps.staticDir) : null;
  let api: ApiHandler | null = null;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/healthz") return json(res, 200, { status: "ok", ...deps.health() });
    if (path === "/readyz")
      return deps.ready() ? json(res, 200, { status: "ready" }) : json(res, 503, { status: "starting" });
    if (path === "/api" || path.startsWith("/api/")) {
      if (api && (await api(req, res))) return;
      return json(res, 404, { error: { code: "MGR_E_NOT_FOUND", message: "no such API route" } });
    }
    if (files && (await files(req, res))) return;
    json(res, 404, { error: { code: "MGR_E_NOT_FOUND", message: "not found" } });
  }

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, "http request failed");
      if (!res.headersSent) json(res, 500, { error: { code: "MGR_E_INTERNAL", message: "internal error" } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  return {
    server,
    setApiHandler(h: ApiHandler | null): void {
      api = h;
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
