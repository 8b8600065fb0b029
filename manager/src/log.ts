import { pino, type Logger } from "pino";
import { prettyDestination, resolveLogFormat } from "@bbb/shared/node";

export type { Logger };

/** Keys whose values never reach a log line (structured logs, secrets redacted). */
export const SECRET_KEYS = [
  "password",
  "token",
  "secret",
  "authorization",
  "fleetSecret",
  "adminPassword",
  "redisUrl",
  "metricsToken",
  "cookie",
];

/** Where secrets are redacted: the keys at the top and one or two levels down (pino's wildcards match one level). */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** The root logger (main.ts only); modules take `log.child({ module })`. Secrets are redacted. */
export function createLogger(level: string = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "bbb-manager" },
      redact: {
        paths: REDACT_PATHS,
        censor: "[redacted]",
      },
    },
    destination,
  );
}

/**
 * The root logger's destination for `BBB_LOG_FORMAT` (config `logFormat`): pretty lines with
 * colours on a terminal, pino's JSON (undefined: stdout) otherwise.
 */
export function logDestination(
  format: string,
  stdout: NodeJS.WriteStream = process.stdout,
): pino.DestinationStream | undefined {
  return resolveLogFormat(format, stdout.isTTY === true) === "pretty"
    ? prettyDestination(stdout, stdout.isTTY === true)
    : undefined;
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** Calls `fn` at most once per `intervalMs` per key, counting what it dropped (log flood guard). */
export function createRateLimiter(intervalMs: number, now: () => number = Date.now) {
  const last = new Map<string, { at: number; dropped: number }>();
  return (key: string, fn: (dropped: number) => void): void => {
    const t = now();
    const e = last.get(key);
    if (e && t - e.at < intervalMs) {
      e.dropped++;
      return;
    }
    if (last.size > 10_000) last.clear();
    last.set(key, { at: t, dropped: 0 });
    fn(e?.dropped ?? 0);
  };
}
