import type { Command } from "commander";
import { hostnameToEpics, type HostView } from "@bbb/shared";
import type { CliContext } from "../context.js";
import { age, json, table } from "../format.js";
import { addFilterOptions, filterOf, type FilterOpts } from "../filter-options.js";

interface HostsOpts extends FilterOpts {
  problem?: string;
  flapping?: boolean;
  limit: string;
  json?: boolean;
}

export function hostRow(h: HostView, now: number): string[] {
  const hb = h.heartbeat;
  const hostname = hb?.hostname ?? h.node?.hostname ?? "";
  const problems = h.problems.map((p) => (p.field ? `${p.code}:${p.field}` : p.code)).join(",");
  return [
    h.id || "-",
    hostname ? hostnameToEpics(hostname) : "-",
    h.flapping ? `${h.state}*` : h.state,
    h.sector ?? "-",
    hb?.type ?? h.node?.type ?? "-",
    hb?.ip ?? (h.node?.ip.mode === "manual" ? h.node.ip.ip : "-"),
    age(h.stateSince, now),
    problems,
  ];
}

export const HOST_HEADERS = ["ID", "HOSTNAME", "STATE", "SECTOR", "TYPE", "IP", "FOR", "PROBLEMS"];

export function registerHosts(program: Command, ctx: CliContext): void {
  const hosts = program
    .command("hosts")
    .argument("[id]", "show one board in full")
    .description("List boards with their state (worst first), or show one board");
  addFilterOptions(hosts, { state: "only these states (lost,missing,misconfigured,...)", sector: "only these sectors", type: "only these types" })
    .option("--problem <code>", "only boards with this problem code (or 'any')")
    .option("--text <text>", "substring of id, hostname, IP, type or PV prefix")
    .option("--flapping", "only flapping boards")
    .option("--limit <n>", "at most n rows", "1000")
    .option("--json", "JSON output for scripts")
    .addHelpText(
      "after",
      "\nExamples:\n  bbbctl hosts --state lost --sector 3\n  bbbctl hosts --type mbtemp --json\n  bbbctl hosts a0f6fd8b1c22",
    )
    .action(async (id: string | undefined, o: HostsOpts) => {
      const rpc = await ctx.client();
      const out = ctx.io.stdout;
      if (id) {
        const h = await rpc.call<HostView>("hosts.get", { id });
        out.write(
          o.json
            ? json(h)
            : table(HOST_HEADERS, [hostRow(h, ctx.io.now())]) +
                (h.problems.length ? "\n" + h.problems.map((p) => `  ${p.message}`).join("\n") + "\n" : ""),
        );
        return;
      }
      const params = {
        ...filterOf(o),
        ...(o.problem ? { problem: o.problem } : {}),
        ...(o.flapping ? { flapping: true } : {}),
        limit: Number(o.limit),
      };
      const r = await rpc.call<{ total: number; items: HostView[] }>("hosts.list", params);
      if (o.json) {
        out.write(json(r));
        return;
      }
      const now = ctx.io.now();
      out.write(
        table(
          HOST_HEADERS,
          r.items.map((h) => hostRow(h, now)),
        ),
      );
      if (r.total > r.items.length) ctx.io.stderr.write(`(${r.items.length} of ${r.total} shown; use --limit)\n`);
    });
}
