import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CONTENT_TYPE } from "./prometheus.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** The token of an `Authorization` header: Bearer <token>, or Basic with the token as password. */
function presented(header: string | undefined): string | null {
  if (!header) return null;
  const space = header.indexOf(" ");
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === "bearer") return value;
  if (scheme !== "basic") return null;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/**
 * GET /metrics (Prometheus text format 0.0.4). With a token configured (`metricsToken`), the
 * scraper must send it as a Bearer token or as the password of Basic auth (Prometheus'
 * `authorization` or `basic_auth` settings); compared in constant time.
 */
export function createMetricsRoute(render: () => string, token: string | undefined) {
  const want = token === undefined ? null : digest(token);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    if (want) {
      const got = presented(req.headers.authorization);
      if (got === null || !timingSafeEqual(digest(got), want)) {
        res.writeHead(401, { "www-authenticate": 'Bearer realm="metrics", Basic realm="metrics"' }).end();
        return true;
      }
    }
    const body = render();
    res.writeHead(200, {
      "content-type": CONTENT_TYPE,
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(body),
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
