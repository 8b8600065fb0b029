import type { IncomingMessage } from "node:http";

/** Why a request to /api was refused before any handler saw it. */
export interface CsrfRefusal {
  status: 403 | 415;
  code: "MGR_E_FORBIDDEN" | "MGR_E_INVALID_REQUEST";
  message: string;
}

const SAFE_VERBS = new Set(["GET", "HEAD", "OPTIONS"]);

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers["content-length"];
  return (len !== undefined && len !== "0") || req.headers["transfer-encoding"] !== undefined;
}

/**
 * Cross-site request forgery on /api (docs/protocol.md "REST API"): a state change needs a JSON
 * body type (which a cross-site form or a no-cors fetch cannot send without a CORS preflight we
 * never grant) and, from a browser, an Origin equal to the server's own or one the admin allowed
 * (`allowedOrigins`). Clients that send neither Origin nor Sec-Fetch-Site (curl, bbbctl, scripts)
 * are not browsers acting for someone else and pass.
 */
export function checkCsrf(
  req: IncomingMessage,
  allowedOrigins: readonly string[],
  secure: boolean,
): CsrfRefusal | null {
  const verb = req.method ?? "GET";
  if (SAFE_VERBS.has(verb)) return null;
  if (hasBody(req)) {
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") {
      return { status: 415, code: "MGR_E_INVALID_REQUEST", message: "state changes take an application/json body" };
    }
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const own = `${secure ? "https" : "http"}://${req.headers.host ?? ""}`.toLowerCase();
    const o = origin.toLowerCase();
    if (o !== own && !allowedOrigins.some((a) => a.toLowerCase() === o)) {
      return { status: 403, code: "MGR_E_FORBIDDEN", message: `origin ${origin.slice(0, 200)} may not change state` };
    }
    return null;
  }
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return { status: 403, code: "MGR_E_FORBIDDEN", message: "cross-site request refused" };
  }
  return null;
}
