import type { Command } from "commander";
import { agentKinds, hostnameToEpics, type MigrationStatus } from "@bbb/shared";
import type { CliContext } from "../context.js";
import { json, table } from "../format.js";

/** The rollout command of the package tooling for a hosts file (docs/migration.md). */
export const rolloutCommand = (hostsFile: string, deb: string) => `bbbctl rollout --hosts ${hostsFile} --deb ${deb}`;

const pct = (n: number, total: number) => (total === 0 ? "-" : `${Math.round((100 * n) / total)}%`);

export function registerMigration(program: Command, ctx: CliContext): void {
  const migration = program.command("migration").description("The move from bbbread / bbb-daemon to bbb-agent");
  migration
    .command("status")
    .description("Boards per agent kind and sector, boards still on old daemons, and the bridges")
    .option("--boards", "also list every board still on an old daemon")
    .option("--json", "JSON output for scripts")
    .addHelpText("after", "\nExamples:\n  bbbctl migration status\n  bbbctl migration status --boards --json")
    .action(async (o: { boards?: boolean; json?: boolean }) => {
      const rpc = await ctx.client();
      const s = await rpc.call<MigrationStatus>("migration.status", {});
      const out = ctx.io.stdout;
      if (o.json) return void out.write(json(s));
      const agent = s.byAgent["bbb-agent"] ?? 0;
      out.write(`${agent} of ${s.total} boards on bbb-agent (${pct(agent, s.total)})\n\n`);
      const sectors = Object.keys(s.bySector).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
      const rows = sectors.map((sec) => {
        const c = s.bySector[sec] ?? {};
        const total = agentKinds.reduce((n, k) => n + (c[k] ?? 0), 0);
        return [sec || "-", ...agentKinds.map((k) => c[k] ?? 0), pct(c["bbb-agent"] ?? 0, total)];
      });
      out.write(table(["SECTOR", ...agentKinds.map((k) => k.toUpperCase()), "DONE"], rows));
      const b = s.bridges;
      out.write(
        `\nbbbread bridge: ${b.bbbread.on ? `on (${b.bbbread.mode}, keyspace events ${b.bbbread.keyspaceEvents ? "on" : "off: polling"}, ${b.bbbread.hashes} hashes)` : "off"}\n` +
          `bbb-daemon bridge: ${b.bbbDaemon.on ? `on (UDP ${b.bbbDaemon.port}, ${b.bbbDaemon.boards} boards, dropped ${JSON.stringify(b.bbbDaemon.dropped)})` : "off"}\n`,
      );
      if (o.boards && s.legacy.length > 0) {
        out.write(
          "\n" +
            table(
              ["ID", "HOSTNAME", "IP", "SECTOR", "AGENT", "STATE"],
              s.legacy.map((r) => [r.id, hostnameToEpics(r.hostname), r.ip, r.sector ?? "-", r.agent, r.state]),
            ),
        );
        out.write(`\nRoll out: write the IPs to a file, then ${rolloutCommand("FILE", "PATH")}\n`);
      }
    });
}
