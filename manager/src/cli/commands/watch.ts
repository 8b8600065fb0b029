import type { Command } from "commander";
import { hostnameToEpics } from "@bbb/shared";
import type { CommandResultEvent, StateChangeEvent } from "../../service/events.js";
import type { CliContext } from "../context.js";
import { list, time } from "../format.js";
import { addFilterOptions } from "../filter-options.js";

interface WatchOpts {
  state?: string[];
  sector?: string[];
  type?: string[];
  board?: string[];
  results?: boolean;
  count?: string;
  json?: boolean;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s.padEnd(n));

/** One row of the live table: time, board, hostname, sector, transition, problems. */
function stateRow(e: StateChangeEvent): string {
  const problems = e.problems.map((p) => (p.field ? `${p.code}:${p.field}` : p.code)).join(",");
  return [
    pad(time(e.ts), 19),
    pad(e.boardId || "-", 14),
    pad(e.hostname ? hostnameToEpics(e.hostname) : "-", 28),
    pad(e.sector ?? "-", 13),
    pad(`${e.from ?? "-"} -> ${e.to}`, 28),
    problems,
  ]
    .join(" ")
    .trimEnd();
}

function resultRow(e: CommandResultEvent): string {
  const r = e.result;
  const detail = r.error ? `${r.error.code}: ${r.error.message}` : r.exitCode !== undefined ? `exit ${r.exitCode}` : "";
  return [
    pad(time(e.ts), 19),
    pad(e.boardId, 14),
    pad(`${r.action} ${r.id}`, 28),
    pad("", 13),
    pad(r.status, 28),
    detail,
  ]
    .join(" ")
    .trimEnd();
}

export function registerWatch(program: Command, ctx: CliContext): void {
  addFilterOptions(
    program
      .command("watch")
      .description("Live table of state changes (and command results with --results) until Ctrl-C"),
    { state: "only changes into these states", sector: "only these sectors", type: "only these types" },
  )
    .option("--board <ids>", "only these boards", list)
    .option("--results", "also show command results")
    .option("--count <n>", "stop after n events")
    .option("--json", "one JSON event per line")
    .action(async (o: WatchOpts) => {
      const rpc = await ctx.client();
      const out = ctx.io.stdout;
      const limit = o.count ? Number(o.count) : Infinity;
      let seen = 0;
      let finish: () => void = () => {};
      const finished = new Promise<void>((r) => (finish = r));
      if (!o.json)
        out.write(
          [
            "TIME".padEnd(19),
            "BOARD".padEnd(14),
            "HOSTNAME".padEnd(28),
            "SECTOR".padEnd(13),
            "CHANGE".padEnd(28),
            "PROBLEMS",
          ].join(" ") + "\n",
        );
      rpc.onNotification((method, params) => {
        if (seen >= limit) return;
        if (method === "events.stateChange")
          out.write(o.json ? JSON.stringify(params) + "\n" : stateRow(params as StateChangeEvent) + "\n");
        else if (method === "events.commandResult")
          out.write(o.json ? JSON.stringify(params) + "\n" : resultRow(params as CommandResultEvent) + "\n");
        else return;
        if (++seen >= limit) finish();
      });
      const filter = {
        ...(o.state ? { states: o.state } : {}),
        ...(o.sector ? { sectors: o.sector } : {}),
        ...(o.type ? { types: o.type } : {}),
        ...(o.board ? { boardIds: o.board } : {}),
        kinds: o.results ? ["state-change", "command-result"] : ["state-change"],
      };
      await rpc.call("events.subscribe", { filter });
      await Promise.race([finished, ctx.io.interrupted, rpc.closed]);
    });
}
