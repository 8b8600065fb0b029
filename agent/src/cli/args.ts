/** What `bbb-agent <argv>` asks for (docs/deployment.md "The agent as a program"). */
export type AgentCommand =
  | { kind: "run" }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "check-config" }
  | { kind: "migrate"; rollback: boolean; root: string; dryRun: boolean }
  | { kind: "usage"; message: string };

/** Parses the agent's command line; no argument at all runs the agent (the unit's ExecStart=). */
export function parseAgentArgs(argv: readonly string[]): AgentCommand {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: "run" };
  if (first === "-h" || first === "--help" || first === "help") return { kind: "help" };
  if (first === "-V" || first === "--version") return { kind: "version" };
  if (first === "--check-config") {
    return rest.length === 0 ? { kind: "check-config" } : { kind: "usage", message: `unexpected argument ${rest[0]}` };
  }
  if (first !== "migrate") return { kind: "usage", message: `unknown command or option ${first}` };
  let rollback = false;
  let dryRun = false;
  let root = "/";
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === "--rollback") rollback = true;
    else if (a === "--dry-run") dryRun = true;
    else if (a === "--root") {
      const v = rest[++i];
      if (v === undefined || !v.startsWith("/")) return { kind: "usage", message: "--root needs an absolute path" };
      root = v;
    } else return { kind: "usage", message: `unknown migrate option ${a ?? ""}` };
  }
  return { kind: "migrate", rollback, root, dryRun };
}

export const AGENT_HELP = `Usage: bbb-agent [command]

The BeagleBone Black fleet agent: reports the board to the manager over MQTT and runs its
commands. Started by systemd (bbb-agent.service); the commands below are for operators.

Commands:
  (none)                 run the agent (what the unit does)
  --check-config         validate the config, print the board id, broker URLs and network
                         backend the agent would use, and exit without connecting
  migrate [--dry-run]    take the board over from the old daemons (bbbread, bbb-daemon):
                         stop and disable their units (never deleted), keep bbb-function
  migrate --rollback     re-enable and start the old daemons, stop and disable bbb-agent
  --root DIR             (migrate) act on a board root mounted at DIR, without systemctl
  -V, --version          print the agent version and the Node.js runtime
  -h, --help             this text

Config: /etc/bbb-agent/config.json, or the file named by BBB_AGENT_CONFIG; environment
overrides: BBB_MQTT_URL, BBB_BOARD_ID, BBB_TOKEN, BBB_PROJECT_DIR, ... (docs/deployment.md).
Exit codes: 0 done, 1 failed, 2 bad usage or a missing / invalid config.
`;
