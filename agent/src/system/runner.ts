import { CodedError, MAX_RESULT_OUTPUT_BYTES } from "@bbb/shared";
import { AgentErrorCodes } from "../errors.js";
import { createTailBuffer, type Exec, type ExecResult } from "./exec.js";

/** Runs one argv; rejects with AGENT_E_EXEC_FAILED on a non-zero exit unless allowFailure. */
export type Runner = (file: string, args: readonly string[], opts?: { allowFailure?: boolean }) => Promise<ExecResult>;

/**
 * A runner for one command: every program it runs, with its output, goes into a transcript
 * whose last 64 KiB become the result's `output` (docs/protocol.md §"Commands and results").
 */
export function createRunner(exec: Exec, opts: { signal?: AbortSignal; timeoutMs?: number } = {}) {
  const transcript = createTailBuffer(MAX_RESULT_OUTPUT_BYTES);
  let lastExitCode = 0;
  const run: Runner = async (file, args, o = {}) => {
    transcript.push(Buffer.from(`$ ${[file, ...args].join(" ")}\n`));
    const r = await exec(file, args, { timeoutMs: opts.timeoutMs ?? 120_000, signal: opts.signal });
    if (r.stdout) transcript.push(Buffer.from(r.stdout.endsWith("\n") ? r.stdout : `${r.stdout}\n`));
    if (r.stderr) transcript.push(Buffer.from(r.stderr.endsWith("\n") ? r.stderr : `${r.stderr}\n`));
    lastExitCode = r.exitCode;
    if (r.exitCode !== 0 && !o.allowFailure) {
      throw new CodedError(AgentErrorCodes.EXEC_FAILED, `${file} ${args[0] ?? ""} exited with ${r.exitCode}`, {
        exitCode: r.exitCode,
      });
    }
    return r;
  };
  return {
    run,
    note: (line: string) => transcript.push(Buffer.from(`${line}\n`)),
    output: () => transcript.text(),
    lastExitCode: () => lastExitCode,
  };
}
export type CommandRunner = ReturnType<typeof createRunner>;

/** A runner that keeps no transcript, for reads outside a command (heartbeat polling). */
export function plainRunner(exec: Exec): Runner {
  return createRunner(exec, { timeoutMs: 10_000 }).run;
}
