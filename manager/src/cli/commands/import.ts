import type { Command } from "commander";
import { NODES_CSV_COLUMNS, nodesImportResultSchema, type NodesImportResult } from "@bbb/shared";
import { CliError, EXIT, type CliContext } from "../context.js";
import { exportMosquitto } from "./export-mosquitto.js";
import { json, list, table } from "../format.js";

/** The import report for people: one line per added / changed / removed / bad row, then the counts. */
export function formatImportReport(r: NodesImportResult): string {
  const rows: (string | number)[][] = [
    ...r.errors.map((e) => [e.line, e.hostname ?? "-", "error", e.message]),
    ...r.added.map((a) => [a.line, a.hostname, "add", ""]),
    ...r.changed.map((c) => [
      c.line,
      c.hostname,
      "change",
      c.fields.map((f) => `${f.field}: ${f.before || "(none)"} -> ${f.after || "(none)"}`).join("; "),
    ]),
    ...r.removed.map((x) => ["-", x.hostname, "remove", ""]),
  ].sort((a, b) => (a[0] === "-" ? 1e9 : Number(a[0])) - (b[0] === "-" ? 1e9 : Number(b[0])));
  const c = r.counts;
  const outcome =
    r.errors.length > 0 ? "nothing applied: fix the rows in error" : r.dryRun ? "dry run: nothing changed" : "applied";
  const head = rows.length > 0 ? table(["LINE", "HOSTNAME", "ACTION", "DETAIL"], rows, 120) : "";
  return `${head}${c.added} to add, ${c.changed} to change, ${c.unchanged} unchanged, ${c.removed} to remove, ${c.errors} in error: ${outcome}\n`;
}

export function registerImport(program: Command, ctx: CliContext): void {
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  program
    .command("export [what]")
    .description(
      "Print the nodes as CSV (the columns import reads; redirect to a file to edit and import back); " +
        "`export mosquitto --out-dir DIR` writes mosquitto's password and ACL files instead",
    )
    .option("--type <types>", "only these types (comma-separated)", list)
    .option("--sector <sectors>", "only these sectors (comma-separated)", list)
    .option("--out-dir <dir>", "mosquitto: folder for the files passwd and acl")
    .option("--board <id>", "mosquitto: also admit this board (repeat; new boards before they first connect)", collect)
    .option("--data-dir <dir>", "mosquitto: read the server's data dir instead of asking it (before its first start)")
    .action(async (what: string | undefined, o: { type?: string[]; sector?: string[]; outDir?: string; board?: string[]; dataDir?: string }) => {
      if (what === "mosquitto") return exportMosquitto(ctx, o);
      if (what !== undefined && what !== "nodes") throw new CliError(`export: unknown target ${what} (nodes or mosquitto)`);
      const r = await (
        await ctx.client()
      ).call<{ csv: string; count: number }>("nodes.export", {
        ...(o.type ? { type: o.type } : {}),
        ...(o.sector ? { sector: o.sector } : {}),
      });
      ctx.io.stdout.write(r.csv);
    });

  program
    .command("import <file>")
    .description(
      `Import nodes from CSV ("-" reads stdin; columns: ${NODES_CSV_COLUMNS.join(",")}; ip "dhcp" or an address, ` +
        "netmask/gateway from its sector unless given); nothing is applied unless every row is valid",
    )
    .option("--dry-run", "validate and show what would change, change nothing")
    .option("--replace", "also remove nodes that are not in the CSV")
    .option("--json", "JSON output")
    .action(async (file: string, o: { dryRun?: boolean; replace?: boolean; json?: boolean }) => {
      const text = await ctx.io.readFile(file);
      const rpc = await ctx.client();
      // The server checks every row against the registry and applies all or nothing, in one transaction.
      const r = nodesImportResultSchema.parse(
        await rpc.call("nodes.import", { csv: text, dryRun: o.dryRun === true, replace: o.replace === true }),
      );
      ctx.io.stdout.write(o.json ? json(r) : formatImportReport(r));
      if (r.errors.length > 0) ctx.exitCode = EXIT.FAILED;
    });
}
