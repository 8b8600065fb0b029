import type { Command } from "commander";
import { metricFields, parseDuration, type HostsMetricsResult } from "@bbb/shared";
import { CliError, type CliContext } from "../context.js";
import { json, list, table, time } from "../format.js";
import { sparkline, summarise } from "../sparkline.js";

interface MetricsOpts {
  since: string;
  step?: string;
  fields?: string[];
  table?: boolean;
  json?: boolean;
}

const duration = (text: string, flag: string): number => {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new CliError(`${flag}: a duration such as 90m, 24h or 7d`);
  return ms;
};

const fmt = (v: number | null) => (v === null ? "-" : String(Math.round(v * 100) / 100));

export function registerMetrics(program: Command, ctx: CliContext): void {
  program
    .command("metrics")
    .argument("<id>", "board id")
    .description("Health series of one board: a sparkline per field, or a table of points")
    .option("--since <duration>", "how far back (90m, 24h, 7d, 90d)", "24h")
    .option("--step <duration>", "bucket size (default: the finest within 2000 points)")
    .option("--fields <list>", `fields (${metricFields.join(",")})`, list)
    .option("--table", "one row per bucket instead of sparklines")
    .option("--json", "JSON output for scripts")
    .addHelpText(
      "after",
      "\nExamples:\n  bbbctl metrics a0f6fd8b1c22 --since 24h\n  bbbctl metrics a0f6fd8b1c22 --since 7d --fields tempC --table",
    )
    .action(async (id: string, o: MetricsOpts) => {
      const to = ctx.io.now();
      const params = {
        id,
        from: to - duration(o.since, "--since"),
        to,
        ...(o.step ? { step: duration(o.step, "--step") } : {}),
        ...(o.fields ? { fields: o.fields } : {}),
      };
      const r = await (await ctx.client()).call<HostsMetricsResult>("hosts.metrics", params);
      const out = ctx.io.stdout;
      if (o.json) return void out.write(json(r));
      const fields = Object.keys(r.series) as (keyof typeof r.series)[];
      if (o.table) {
        const rows = r.t.map((t, i) => [time(t), ...fields.map((f) => fmt(r.series[f]?.[i] ?? null))]);
        return void out.write(table(["TIME", ...fields.map(String)], rows));
      }
      const rows = fields.map((f) => {
        const s = summarise(r.series[f] ?? []);
        return [f, sparkline(r.series[f] ?? [], 60), fmt(s.min), fmt(s.mean), fmt(s.max), fmt(s.last)];
      });
      out.write(`${id}: ${time(r.from)} → ${time(r.to)}, step ${Math.round(r.step / 60_000)} min\n`);
      out.write(table(["FIELD", "SERIES", "MIN", "MEAN", "MAX", "LAST"], rows, 70));
    });
}
