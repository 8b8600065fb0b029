import { execFile } from "node:child_process";

export interface ExecResult {
  /** Exit code, or null when the process was killed (timeout, abort). */
  code: number | null;
  stdout: string;
  stderr: string;
}
export interface ExecOptions {
  cwd?: string;
  /** Extra variables, merged over the inherited environment. */
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}
/** Runs a program with an argv array (never a shell string). Resolves with the exit status; rejects only when it cannot start. */
export type Exec = (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

const MAX_OUTPUT = 4 * 1024 * 1024;

/** Production exec on child_process.execFile: no shell, bounded output, killed on timeout or abort. */
export function createExec(): Exec {
  return (argv, opts = {}) =>
    new Promise((resolve, reject) => {
      const [file, ...args] = argv;
      if (file === undefined) {
        reject(new Error("exec: empty argv"));
        return;
      }
      execFile(
        file,
        args,
        {
          cwd: opts.cwd,
          env: opts.env ? { ...process.env, ...opts.env } : process.env,
          timeout: opts.timeoutMs ?? 0,
          signal: opts.signal,
          maxBuffer: MAX_OUTPUT,
          encoding: "utf8",
          killSignal: "SIGKILL",
        },
        (err, stdout, stderr) => {
          if (
            err &&
            typeof (err as NodeJS.ErrnoException).code === "string" &&
            (err as NodeJS.ErrnoException).code === "ENOENT"
          ) {
            reject(new Error(`${file}: not found`, { cause: err }));
            return;
          }
          const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
}
