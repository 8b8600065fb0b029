import { readFile } from "node:fs/promises";
import type { CliIo } from "../src/cli/context.js";
import { runCli } from "../src/cli/program.js";
import { ADMIN_PASSWORD } from "./helpers.js";

/** bbbctl's environment for the built-in admin against a command socket on 127.0.0.1. */
export function adminEnv(cmdPort: number | null | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return { BBB_HOST: "127.0.0.1", BBB_CMD_PORT: String(cmdPort), BBB_USER: "admin", BBB_PASSWORD: ADMIN_PASSWORD, ...extra };
}

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
