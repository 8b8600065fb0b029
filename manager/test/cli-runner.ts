import { readFile } from "node:fs/promises";
import type { CliIo } from "../src/cli/context.js";
import { runCli } from "../src/cli/program.js";

/** Runs bbbctl in-process against `env` and captures its streams and exit code. */
export async function bbbctl(
  argv: string[],
  env: Record<string, string>,
  opts: { tty?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    home: null,
    stderrTty: opts.tty ?? false,
    now: Date.now,
    readFile: (p) => readFile(p, "utf8"),
    interrupted: new Promise(() => {}),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
