import { Command, CommanderError } from "commander";
import { registerActions } from "./commands/actions.js";
import { registerAdmin } from "./commands/admin.js";
import { registerBackup } from "./commands/backup.js";
import { registerHosts } from "./commands/hosts.js";
import { registerMetrics } from "./commands/metrics.js";
import { registerImport } from "./commands/import.js";
import { registerMigration } from "./commands/migration.js";
import { registerMisc } from "./commands/misc.js";
import { registerProvision } from "./commands/provision.js";
import { registerRegistry } from "./commands/registry.js";
import { registerRestore } from "./commands/restore.js";
import { registerRollout } from "./commands/rollout.js";
import { registerSessions } from "./commands/sessions.js";
import { registerWatch } from "./commands/watch.js";
import { registerCompletion } from "./completion.js";
import type { ConnectionFlags } from "./config.js";
import { MANAGER_VERSION } from "../version.js";
import { CliError, createCliContext, EXIT, type CliIo } from "./context.js";
import { RpcCallError } from "./rpc-client.js";

const HELP_FOOTER = `
Connection: --host/--port/--user/--password, or BBB_HOST, BBB_CMD_PORT, BBB_USER,
BBB_PASSWORD (or BBB_TOKEN), or a config file (--config, BBBCTL_CONFIG, or
~/.config/bbbctl/config.json|yaml with host, port, user, password, token).
Prefer BBB_PASSWORD over --password: flags show in the process list.

Bulk actions (a filter, or several boards) ask on a terminal; scripts pass --yes.
Shell completion: bbbctl completion bash|zsh (see bbbctl completion --help).

Exit codes: 0 success, 1 some boards failed, 2 usage, connection or server error
(or a bulk action not confirmed).`;

/** bbbctl: operator CLI over the command socket (JSON-RPC on port 6789). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = new Command("bbbctl");
  const ctx = createCliContext(io, () => program.opts<ConnectionFlags>());
  program
    .description("Monitor and operate the BeagleBone Black fleet through the manager's command socket")
    .option("-H, --host <host>", "manager host")
    .option("-p, --port <port>", "command socket port (default 6789)")
    .option("-u, --user <user>", "user name")
    .option("--password <password>", "password (prefer BBB_PASSWORD)")
    .option("-c, --config <file>", "config file (JSON or YAML)")
    .version(MANAGER_VERSION, "-V, --version", "print the version")
    .addHelpText("after", HELP_FOOTER)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  registerHosts(program, ctx);
  registerMetrics(program, ctx);
  registerWatch(program, ctx);
  registerActions(program, ctx);
  registerRegistry(program, ctx);
  registerImport(program, ctx);
  registerAdmin(program, ctx);
  registerSessions(program, ctx);
  registerMisc(program, ctx);
  registerBackup(program, ctx);
  registerRestore(program, ctx);
  registerProvision(program, ctx);
  registerRollout(program, ctx);
  registerMigration(program, ctx);
  registerCompletion(program, (s) => void io.stdout.write(s));
  for (const c of program.commands)
    c.exitOverride().configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (e: unknown) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    if (e instanceof RpcCallError) {
      io.stderr.write(`bbbctl: ${e.code || e.rpcCode}: ${e.message}\n`);
      for (const i of e.issues ?? []) io.stderr.write(`  ${i.path.join(".") || "(params)"}: ${i.message}\n`);
      return EXIT.ERROR;
    }
    if (e instanceof CliError) {
      io.stderr.write(`bbbctl: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr.write(`bbbctl: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.ERROR;
  } finally {
    ctx.close();
  }
}
