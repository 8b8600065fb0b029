/**
 * The command line of the long-running programs (the server, the broker, the demo): they take
 * their configuration from the environment (docs/deployment.md), so their only arguments are
 * `--help` and `--version`. Anything else is a usage error (exit 2), never silently ignored.
 */
export interface ProgramInfo {
  /** The program's name as typed, e.g. `bbb-server`. */
  name: string;
  version: string;
  /** The help text, ending with a newline. */
  help: string;
}

export type ProgramArgs = { kind: "run" } | { kind: "exit"; code: number };

export function programArgs(
  argv: readonly string[],
  info: ProgramInfo,
  out: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } },
): ProgramArgs {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: "run" };
  if (rest.length === 0 && (first === "-h" || first === "--help")) {
    out.stdout.write(info.help);
    return { kind: "exit", code: 0 };
  }
  if (rest.length === 0 && (first === "-V" || first === "--version")) {
    out.stdout.write(`${info.name} ${info.version} (Node.js ${process.version})\n`);
    return { kind: "exit", code: 0 };
  }
  out.stderr.write(`${info.name}: unknown argument ${argv.join(" ")}; configuration comes from the environment (see --help)\n`);
  return { kind: "exit", code: 2 };
}
