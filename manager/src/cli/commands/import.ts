import type { Command } from "commander";
import { NODES_CSV_COLUMNS, nodeSchema, nodesImportResultSchema, type NodesImportResult } from "@bbb/shared";
import { CliError, EXIT, type CliContext } from "../context.js";
import { parseCsv } from "../csv.js";
import { json, list, table } from "../format.js";
import { RpcCallError } from "../rpc-client.js";

/** Columns of a nodes CSV (header row required; order free; unknown columns are an error). */
export const NODE_CSV_COLUMNS = [
  "hostname",
  "type",
  "ip",
  "netmask",
  "gateway",
  "nameservers",
  "sector",
  "pv",
  "board",
  "notes",
] as const;

const words = (s: string | undefined) => (s ?? "").split(/[\s;]+/).filter((x) => x !== "");

/** Rows of a nodes CSV as node inputs, validated with the shared node schema. */
export function nodesFromCsv(
  text: string,
): { line: number; hostname: string; node?: Record<string, unknown>; error?: string }[] {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header) throw new CliError("empty CSV");
  const cols = header.fields.map((h) => h.trim().toLowerCase());
  const unknown = cols.filter((c) => !(NODE_CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw new CliError(`unknown CSV columns: ${unknown.join(", ")} (known: ${NODE_CSV_COLUMNS.join(", ")})`);
  return rows.map(({ line, fields }) => {
    const v = (name: string) => {
      const i = cols.indexOf(name);
      return i >= 0 ? (fields[i] ?? "").trim() : "";
    };
    const ip = v("ip");
    const input = {
      hostname: v("hostname"),
      type: v("type"),
      ip:
        ip === "" || ip.toLowerCase() === "dhcp"
          ? { mode: "dhcp" }
          : { mode: "manual", ip, netmask: v("netmask"), gateway: v("gateway") },
      nameservers: words(v("nameservers")),
      sector: v("sector") || null,
      pvPrefixes: words(v("pv")),
      boardId: v("board") || null,
      notes: v("notes"),
    };
    const r = nodeSchema.safeParse(input);
    if (!r.success)
      return {
        line,
        hostname: input.hostname,
        error: r.error.issues.map((i) => `${i.path.join(".") || "(row)"}: ${i.message}`).join("; "),
      };
    return { line, hostname: input.hostname, node: input };
  });
}

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
  program
    .command("export")
    .description("Print the nodes as CSV (the columns import reads); redirect to a file to edit and import back")
    .option("--type <types>", "only these types (comma-separated)", list)
    .option("--sector <sectors>", "only these sectors (comma-separated)", list)
    .action(async (o: { type?: string[]; sector?: string[] }) => {
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
      const methods = await rpc.call<{ name: string }[]>("methods.list");
      if (methods.some((m) => m.name === "nodes.import")) {
        // The server checks every row against the registry and applies all or nothing, in one transaction.
        const r = nodesImportResultSchema.parse(
          await rpc.call("nodes.import", { csv: text, dryRun: o.dryRun === true, replace: o.replace === true }),
        );
        ctx.io.stdout.write(o.json ? json(r) : formatImportReport(r));
        if (r.errors.length > 0) ctx.exitCode = EXIT.FAILED;
        return;
      }
      // A server without nodes.import (older manager): row by row, valid rows only.
      if (o.replace) throw new CliError("--replace needs a server with nodes.import");
      const rows = nodesFromCsv(text);
      const report: { line: number; hostname: string; status: string; detail: string }[] = [];
      for (const r of rows) {
        const hostname = r.hostname;
        if (r.error || !r.node) {
          report.push({ line: r.line, hostname, status: "invalid", detail: r.error ?? "" });
          continue;
        }
        if (o.dryRun) {
          report.push({ line: r.line, hostname, status: "valid", detail: "" });
          continue;
        }
        try {
          await rpc.call("nodes.upsert", r.node);
          report.push({ line: r.line, hostname, status: "imported", detail: "" });
        } catch (e: unknown) {
          report.push({
            line: r.line,
            hostname,
            status: "failed",
            detail: e instanceof RpcCallError ? `${e.code}: ${e.message}` : String(e),
          });
        }
      }
      ctx.io.stdout.write(
        o.json
          ? json(report)
          : table(
              ["LINE", "HOSTNAME", "STATUS", "DETAIL"],
              report.map((r) => [r.line, r.hostname, r.status, r.detail]),
              120,
            ),
      );
      if (report.some((r) => r.status === "invalid" || r.status === "failed")) ctx.exitCode = EXIT.FAILED;
    });
}
