import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * The dashboard's scripts come only from this server, it talks only to this server (REST and
 * MQTT over WebSocket), and no other site may frame it (clickjacking). Inline styles stay
 * allowed: Vue's static hoisting writes style attributes through innerHTML. Workers may start
 * from blob: URLs: MQTT.js runs its keepalive timers in a worker built from a Blob so a
 * background tab's throttled timers do not make the broker drop the dashboard.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Serves the built dashboard: files under `root` only (no '..' escapes), hashed assets cached
 * for a year, index.html never cached, and index.html for unknown paths (SPA routes).
 */
export function createStaticFiles(root: string) {
  const base = resolve(root);
  const send = async (res: ServerResponse, file: string, head: boolean, cache: string): Promise<boolean> => {
    let st;
    try {
      st = await stat(file);
    } catch {
      return false;
    }
    if (!st.isFile()) return false;
    res.writeHead(200, {
      "content-type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "content-length": st.size,
      "cache-control": cache,
      "x-content-type-options": "nosniff",
      "content-security-policy": DASHBOARD_CSP,
      "x-frame-options": "DENY",
      "referrer-policy": "same-origin",
    });
    if (head) res.end();
    else
      createReadStream(file)
        .on("error", () => res.destroy())
        .pipe(res);
    return true;
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const head = req.method === "HEAD";
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return false;
    }
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return false;
    const immutable = path.startsWith("/assets/");
    if (path !== "/" && (await send(res, file, head, immutable ? "public, max-age=31536000, immutable" : "no-cache")))
      return true;
    // SPA fallback: a path with no extension is a client-side route.
    if (path === "/" || extname(path) === "") return send(res, join(base, "index.html"), head, "no-cache");
    return false;
  };
}
