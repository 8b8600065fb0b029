import { spawn } from "node:child_process";
import { MAX_RESULT_OUTPUT_BYTES } from "@bbb/shared";

export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
  input?: string;
}
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}
/**
 * Runs a program with an argv array, never through a shell (docs/protocol.md §"Authentication and ACL":
 * nothing a client sends reaches a shell). Resolves with the exit code; never rejects.
 */
export type Exec = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** Keeps only the last `max` bytes of a growing output (results carry the last 64 KiB). */
export function createTailBuffer(max = MAX_RESULT_OUTPUT_BYTES) {
  let chunks: Buffer[] = [];
  let size = 0;
  return {
    push(b: Buffer) {
      chunks.push(b);
      size += b.length;
      while (size > max && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
      if (size > max) {
        const only = chunks[0] ?? Buffer.alloc(0);
        chunks = [only.subarray(only.length - max)];
        size = max;
      }
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

export function createExec(): Exec {
  return (file, args, opts = {}) =>
    new Promise((resolve) => {
      const out = createTailBuffer();
      const err = createTailBuffer();
      let settled = false;
      const done = (r: ExecResult) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        resolve(r);
      };
      const child = spawn(file, [...args], {
        shell: false,
        stdio: ["pipe", "pipe", "pipe"],
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
        signal: opts.signal,
      });
      const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.on("data", (b: Buffer) => err.push(b));
      child.stdin.on("error", () => undefined);
      child.stdin.end(opts.input ?? "");
      child.on("error", (e) => done({ exitCode: 127, stdout: out.text(), stderr: `${err.text()}${e.message}\n` }));
      child.on("close", (code, signal) =>
        done({ exitCode: code ?? (signal ? 128 : 1), stdout: out.text(), stderr: err.text() }),
      );
    });
}
