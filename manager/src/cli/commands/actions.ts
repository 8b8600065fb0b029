import { Command } from "commander";
import {
  SUCCESS_OUTCOMES,
  buildSectorIndex,
  firstHost,
  prefixToNetmask,
  type ActionName,
  type HostView,
  type Run,
  type Sector,
} from "@bbb/shared";
import { CliError, EXIT, type CliContext } from "../context.js";
import { json, list, table } from "../format.js";
import { addFilterOptions, filterOf, type FilterOpts } from "../filter-options.js";
import { confirmBulk } from "../confirm.js";
import { createProgressBar } from "../progress.js";

interface TargetOpts extends FilterOpts {
  yes?: boolean;
  concurrency?: string;
  timeout?: string;
  canary?: string;
  includeDead?: boolean;
  json?: boolean;
  progress: boolean;
}

interface ActionSpec {
  cli: string;
  action: ActionName;
  summary: string;
  options?: (c: Command) => Command;
  args?: (o: Record<string, unknown>, rpc: Rpc) => unknown;
}

type Rpc = Awaited<ReturnType<CliContext["client"]>>;

/** Netmask and gateway of the sector subnet an address lies in (gateway = the subnet's first address). */
async function subnetOf(rpc: Rpc, ip: string): Promise<{ netmask: string; gateway: string } | null> {
  const { items } = await rpc.call<{ items: Sector[] }>("sectors.list", {});
  const cidr = buildSectorIndex(items).cidrOf(ip);
  return cidr ? { netmask: prefixToNetmask(cidr.prefix), gateway: firstHost(cidr) } : null;
}

const ACTIONS: ActionSpec[] = [
  { cli: "reboot", action: "reboot", summary: "Reboot boards" },
  {
    cli: "set-ip",
    action: "set-ip",
    summary: "Set the IPv4 configuration (the board reverts if it cannot reach the broker again)",
    options: (c) =>
      c
        .option("--dhcp", "use DHCP")
        .option("--ip <ip>", "address")
        .option("--netmask <mask>", "netmask (default: from the sector subnet the address lies in)")
        .option("--gateway <ip>", "gateway (default: the sector subnet's first address)"),
    args: async (o, rpc) => {
      if (o.dhcp) return { mode: "dhcp" };
      if (typeof o.ip !== "string")
        throw new CliError("set-ip needs --dhcp, or --ip (with --netmask and --gateway outside the sector table)");
      const derived = o.netmask && o.gateway ? null : await subnetOf(rpc, o.ip);
      const netmask = o.netmask ?? derived?.netmask;
      const gateway = o.gateway ?? derived?.gateway;
      if (!netmask || !gateway) throw new CliError(`${o.ip} lies in no sector subnet: give --netmask and --gateway`);
      return { mode: "manual", ip: o.ip, netmask, gateway };
    },
  },
  {
    cli: "set-hostname",
    action: "set-hostname",
    summary: "Set the hostname (EPICS form LA-RaCtrl:CO-Srv-1 is written as LA-RaCtrl--CO-Srv-1)",
    options: (c) => c.requiredOption("--hostname <name>", "new hostname"),
    args: (o) => ({ hostname: o.hostname }),
  },
  {
    cli: "set-nameservers",
    action: "set-nameservers",
    summary: "Set the DNS servers",
    options: (c) => c.requiredOption("--servers <ips>", "comma-separated, up to 3", list),
    args: (o) => ({ servers: o.servers }),
  },
  {
    cli: "sync",
    action: "sync-project",
    summary: "Sync each board's type project from the server",
    options: (c) => c.option("--dry-run", "only report what would change"),
    args: (o) => (o.dryRun ? { dryRun: true } : {}),
  },
  {
    cli: "identify",
    action: "identify",
    summary: "Blink the boards' user LEDs",
    options: (c) => c.option("--seconds <n>", "how long (1-600)"),
    args: (o) => (o.seconds ? { seconds: Number(o.seconds) } : {}),
  },
  {
    cli: "restart-service",
    action: "restart-service",
    summary: "Restart an allow-listed systemd service",
    options: (c) => c.requiredOption("--service <name>", "unit name"),
    args: (o) => ({ name: o.service }),
  },
  {
    cli: "stop-service",
    action: "stop-service",
    summary: "Stop an allow-listed systemd service",
    options: (c) => c.requiredOption("--service <name>", "unit name"),
    args: (o) => ({ name: o.service }),
  },
  {
    cli: "apply-node",
    action: "apply-node",
    summary: "Make boards adopt their registered node configuration (then reboot)",
  },
  { cli: "ping", action: "ping", summary: "Round trip to the agents" },
];

function outcomeDetail(o: Run["outcomes"][number]): string {
  if (o.error) return `${o.error.code}: ${o.error.message}`;
  if (o.exitCode !== undefined && o.exitCode !== 0) return `exit ${o.exitCode}`;
  return "";
}

/**
 * One subcommand per action: targets are board ids, or a filter (--state/--sector/--type/--text);
 * a bulk run is confirmed on the terminal or with --yes (confirm.ts). Prints per-board outcomes; exit 1 if any board failed.
 */
export function registerActions(program: Command, ctx: CliContext): void {
  for (const spec of ACTIONS) {
    let cmd = addFilterOptions(
      program.command(spec.cli).argument("[boards...]", "board ids").description(spec.summary),
      {
        state: "target boards in these states",
        sector: "target boards of these sectors",
        type: "target boards of these types",
      },
    )
      .option("--text <text>", "target boards matching this text")
      .option("--yes", "do not ask: confirm a bulk run (needed by scripts for a filter)")
      .option("--concurrency <n>", "boards in flight at once")
      .option("--timeout <s>", "per-board wait for a final result, seconds")
      .option("--canary <n>", "run n boards first and stop if any fails")
      .option("--include-dead", "also send to boards that are not alive")
      .option("--no-progress", "no progress bar")
      .option("--json", "print the run as JSON");
    if (spec.options) cmd = spec.options(cmd);
    cmd.action(async (boards: string[], o: TargetOpts & Record<string, unknown>) => {
      const filter = filterOf(o);
      const byFilter = Object.keys(filter).length > 0;
      if (boards.length > 0 && byFilter) throw new CliError("give board ids or a filter, not both");
      if (boards.length === 0 && !byFilter)
        throw new CliError(`${spec.cli}: give board ids, or a filter (--state, --sector, --type, --text) with --yes`);
      const options = {
        ...(o.concurrency ? { concurrency: Number(o.concurrency) } : {}),
        ...(o.timeout ? { timeoutMs: Math.round(Number(o.timeout) * 1000) } : {}),
        ...(o.canary ? { canary: Number(o.canary) } : {}),
        ...(o.includeDead ? { includeDead: true } : {}),
      };
      const rpc = await ctx.client();
      // The runner selects boards, not nodes without one (hosts.list also lists those as `missing` / `spare`).
      const count = byFilter
        ? (await rpc.call<{ items: HostView[] }>("hosts.list", { ...filter, limit: 10_000 })).items.filter(
            (h) => h.state !== "missing" && h.state !== "spare",
          ).length
        : boards.length;
      await confirmBulk(ctx.io, { what: spec.cli, count, byFilter, yes: o.yes === true });
      const args = spec.args ? await spec.args(o, rpc) : undefined;
      const bar = createProgressBar(ctx.io.stderr, ctx.io.stderrTty && o.progress, spec.cli);
      const params = {
        target: byFilter ? { filter } : { ids: boards },
        action: spec.action,
        ...(args !== undefined ? { args } : {}),
        options,
      };
      let run: Run;
      try {
        run = await rpc.call<Run>("hosts.command", params, { onProgress: (p) => bar.update(p) });
      } finally {
        bar.done();
      }
      const failed = run.outcomes.filter((x) => !SUCCESS_OUTCOMES.includes(x.status));
      if (o.json) ctx.io.stdout.write(json(run));
      else {
        ctx.io.stdout.write(
          table(
            ["BOARD", "STATUS", "DETAIL"],
            run.outcomes.map((x) => [x.boardId, x.status, outcomeDetail(x)]),
            100,
          ),
        );
        const counts = Object.entries(run.counts)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${n} ${s}`)
          .join(", ");
        ctx.io.stderr.write(
          `run ${run.id}: ${run.status}${run.abortReason ? ` (${run.abortReason})` : ""}; ${counts || "no boards"}\n`,
        );
      }
      if (failed.length > 0 || run.status === "aborted") ctx.exitCode = EXIT.FAILED;
    });
  }
}
