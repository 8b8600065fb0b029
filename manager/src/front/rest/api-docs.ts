import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DASHBOARD_CSP } from "../../http/static-files.js";

/** Swagger UI's prebuilt files, from the swagger-ui-dist package (served from here: no CDN). */
const DIST = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const headers = (type: string, length: number) => ({
  "content-type": type,
  "content-length": length,
  "cache-control": "no-cache",
  "x-content-type-options": "nosniff",
  // The dashboard's policy: scripts and connections only to this server, no framing.
  "content-security-policy": DASHBOARD_CSP,
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
});

/**
 * GET `<base>/docs`: Swagger UI over `<base>/openapi.json`, all from this server. The page has
 * no inline script (the start-up is `docs.js`), so it runs under the dashboard's CSP; Swagger's
 * online validator is off (it would call another site).
 */
export function createApiDocs(base: string) {
  const page = Buffer.from(
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BBB fleet manager API</title>
<link rel="stylesheet" href="${base}/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${base}/docs/swagger-ui-bundle.js"></script>
<script src="${base}/docs/docs.js"></script>
</body>
</html>
`,
  );
  const start = Buffer.from(
    `window.ui = SwaggerUIBundle(${JSON.stringify({
      url: `${base}/openapi.json`,
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: "none",
      displayRequestDuration: true,
    })});\n`,
  );

  const send = (req: IncomingMessage, res: ServerResponse, type: string, body: Buffer) => {
    res.writeHead(200, headers(type, body.length));
    res.end(req.method === "HEAD" ? undefined : body);
  };

  /** Answers `sub` (the path under base) when it is a docs path; false otherwise. */
  return async (req: IncomingMessage, res: ServerResponse, sub: string): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (sub === "/docs" || sub === "/docs/") {
      send(req, res, "text/html; charset=utf-8", page);
      return true;
    }
    if (sub === "/docs/docs.js") {
      send(req, res, "text/javascript; charset=utf-8", start);
      return true;
    }
    const name = sub.startsWith("/docs/") ? sub.slice("/docs/".length) : "";
    const type = ASSETS[name];
    if (!type) return false;
    const file = join(DIST, name);
    const st = await stat(file);
    res.writeHead(200, headers(type, st.size));
    if (req.method === "HEAD") res.end();
    else
      createReadStream(file)
        .on("error", () => res.destroy())
        .pipe(res);
    return true;
  };
}

/** Whether a path under the API base belongs to the docs page. */
export const isDocsPath = (sub: string) => sub === "/docs" || sub.startsWith("/docs/");
