/** How log lines are written: JSON for collectors, or pretty for a person at a terminal. */
export type LogFormat = "json" | "pretty";

export const LOG_FORMATS = ["auto", "json", "pretty"] as const;

/**
 * `BBB_LOG_FORMAT`: `json`, `pretty`, or `auto`/unset (pretty when stdout is a terminal, JSON
 * otherwise: systemd, Docker and pipes get JSON). Anything else is a configuration error.
 */
export function resolveLogFormat(raw: string | undefined, stdoutIsTty: boolean): LogFormat {
  const v = (raw ?? "").trim().toLowerCase();
  if (v === "" || v === "auto") return stdoutIsTty ? "pretty" : "json";
  if (v === "json" || v === "pretty") return v;
  throw new Error(`BBB_LOG_FORMAT must be auto, json or pretty, got ${raw}`);
}

const LEVELS: Record<number, [string, string]> = {
  10: ["TRACE", "\x1b[90m"],
  20: ["DEBUG", "\x1b[36m"],
  30: ["INFO ", "\x1b[32m"],
  40: ["WARN ", "\x1b[33m"],
  50: ["ERROR", "\x1b[31m"],
  60: ["FATAL", "\x1b[41m"],
};
// pino's own fields, shown in the line's head or left out.
const HEAD = new Set(["level", "time", "msg", "pid", "hostname", "app", "name", "module", "v"]);

const value = (v: unknown): string => {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
};

const clock = (ms: number): string => {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
};

/**
 * One pino JSON line as a person reads it: `12:03:04.567 INFO  [module] message key=value …`,
 * an error's stack on the lines below. A line that is not pino JSON is passed through.
 */
export function prettyLine(line: string, colors: boolean): string {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      return line.endsWith("\n") ? line : line + "\n";
    o = parsed as Record<string, unknown>;
  } catch {
    return line.endsWith("\n") ? line : line + "\n";
  }
  const [name, colour] = LEVELS[typeof o.level === "number" ? o.level : 30] ?? ["?????", ""];
  const paint = (s: string, c: string) => (colors && c ? `${c}${s}\x1b[0m` : s);
  const module = typeof o.module === "string" ? paint(`[${o.module}] `, "\x1b[35m") : "";
  const time = typeof o.time === "number" ? clock(o.time) : "";
  let stack = "";
  const fields: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (HEAD.has(k)) continue;
    if (
      (k === "err" || k === "error") &&
      v &&
      typeof v === "object" &&
      typeof (v as { stack?: unknown }).stack === "string"
    ) {
      const e = v as { message?: unknown; stack: string };
      fields.push(`${k}=${value(e.message ?? "")}`);
      stack =
        "\n" +
        e.stack
          .split("\n")
          .map((l) => `    ${l.trim()}`)
          .join("\n");
      continue;
    }
    fields.push(`${paint(k, "\x1b[90m")}=${value(v)}`);
  }
  const msg = typeof o.msg === "string" ? o.msg : "";
  return `${paint(time, "\x1b[90m")} ${paint(name, colour)} ${module}${msg}${fields.length ? " " + fields.join(" ") : ""}${stack}\n`;
}

/** A pino destination that writes each line pretty to `out` (process.stdout at a terminal). */
export function prettyDestination(out: { write(s: string): unknown }, colors: boolean): { write(s: string): void } {
  return {
    write(chunk: string) {
      for (const line of chunk.split("\n")) if (line !== "") out.write(prettyLine(line, colors));
    },
  };
}
