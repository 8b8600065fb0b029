import type { Logger } from "pino";
import type { Clock } from "../system/clock.js";

/** Why a broker would not have the agent: its TLS handshake failed, or its CONNACK said no. */
export interface Refusal {
  kind: "tls" | "connack";
  /** The TLS error code (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE) or the CONNACK return code. */
  code: string | number;
  message: string;
}

// Node's TLS verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED,
// SELF_SIGNED_CERT_IN_CHAIN, …), ERR_TLS_* (e.g. ERR_TLS_CERT_ALTNAME_INVALID) and OpenSSL alerts
// sent by the server (ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE when it refuses our certificate).
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|SIGNATURE|ISSUER|SELF_SIGNED|UNABLE_TO_|CRL|HOSTNAME/;

/**
 * A refusal, or null for an ordinary network failure (broker down, no route: those are the
 * reconnect loop's business and stay at debug). MQTT.js reports a CONNACK refusal as an
 * ErrorWithReasonCode whose numeric `code` is the return code (MQTT 3.1.1 §3.2.2.3: 4 bad user
 * name or password, 5 not authorised).
 */
export function classifyConnectError(err: unknown): Refusal | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "number" && code > 0 && /^Connection refused/.test(err.message))
    return { kind: "connack", code, message: err.message };
  if (typeof code === "string" && TLS_CODE.test(code)) return { kind: "tls", code, message: err.message };
  return null;
}

/** The URL as it may be logged: any user info (a password in the URL) is cut out. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//");
  }
}

/**
 * One `warn` line per kind of refusal and URL, then at most one per `intervalMs` with the count
 * of the refusals not logged meanwhile: a board with a wrong CA or token retries for ever with
 * backoff (docs/deployment.md §"On a board") and must not fill its journal. The token is never logged: the
 * line holds the URL without user info, the reason and the code only.
 */
export function createRefusalLog(deps: { log: Logger; clock: Clock; intervalMs?: number }) {
  const intervalMs = deps.intervalMs ?? 10 * 60_000;
  const seen = new Map<string, { lastAt: number; suppressed: number }>();
  return {
    refused(url: string, r: Refusal): void {
      const key = `${r.kind}:${r.code}:${url}`;
      const now = deps.clock.now();
      const s = seen.get(key);
      if (s && now - s.lastAt < intervalMs) {
        s.suppressed++;
        return;
      }
      const repeated = s?.suppressed ?? 0;
      seen.set(key, { lastAt: now, suppressed: 0 });
      const what = r.kind === "tls" ? "TLS handshake with the broker failed" : "broker refused the connection";
      deps.log.warn(
        { url: safeUrl(url), reason: r.kind, code: r.code, error: r.message, ...(repeated ? { repeated } : {}) },
        `${what}; retrying with backoff`,
      );
    },
    /** A successful connect: a later refusal is news again and is logged at once. */
    reset(): void {
      seen.clear();
    },
  };
}
