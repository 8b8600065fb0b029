import type { Command } from "commander";
import { list } from "./format.js";

/** The board filter of the CLI: --state, --sector and --type, comma-separated or repeated. */
export interface FilterOpts {
  state?: string[];
  sector?: string[];
  type?: string[];
  text?: string;
}

/** Declares --state, --sector and --type on a command, with the help text each command gives them. */
export function addFilterOptions(cmd: Command, help: { state: string; sector: string; type: string }): Command {
  return cmd
    .option("--state <states>", help.state, list)
    .option("--sector <sectors>", help.sector, list)
    .option("--type <types>", help.type, list);
}

/** The `filter` params of hosts.list, nodes.list and bulk commands: only the options given. */
export function filterOf(o: FilterOpts): FilterOpts {
  return {
    ...(o.state ? { state: o.state } : {}),
    ...(o.sector ? { sector: o.sector } : {}),
    ...(o.type ? { type: o.type } : {}),
    ...(o.text ? { text: o.text } : {}),
  };
}
