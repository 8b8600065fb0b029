import type { Command } from "commander";
import { hostnameToEpics, type HostView } from "@bbb/shared";
import { confirmBulk } from "../confirm.js";
import { EXIT, type CliContext } from "../context.js";
import { RpcCallError } from "../rpc-client.js";
import { age, json, list, table } from "../format.js";
import { addFilterOptions, filterOf, type FilterOpts } from "../filter-options.js";

interface HostsOpts extends FilterOpts {
  problem?: string;
  flapping?: boolean;
  agent?: string[];
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
    h.agent,
    age(h.stateSince, now),
    problems,
  ];
}

export const HOST_HEADERS = ["ID", "HOSTNAME", "STATE", "SECTOR", "TYPE", "IP", "AGENT", "FOR", "PROBLEMS"];

export function registerHosts(program: Command, ctx: CliContext): void {
  const hosts = program
    .command("hosts")
    .argument("[id]", "show one board in full")
    .description("List boards with their state (worst first), or show one board");
  addFilterOptions(hosts, {
    state: "only these states (lost,missing,misconfigured,...)",
    sector: "only these sectors",
    type: "only these types",
  })
    .option("--problem <code>", "only boards with this problem code (or 'any')")
    .option("--text <text>", "substring of id, hostname, IP, type or PV prefix")
    .option("--flapping", "only flapping boards")
    .option("--agent <kinds>", "only boards of these agent kinds (bbb-agent,bbbread,bbb-daemon)", list)
    .option("--limit <n>", "at most n rows", "1000")
    .option("--json", "JSON output for scripts")
    .addHelpText(
      "after",
      "\nExamples:\n  bbbctl hosts --state lost --sector 3\n  bbbctl hosts --type mbtemp --json\n  bbbctl hosts --agent bbbread,bbb-daemon\n  bbbctl hosts a0f6fd8b1c22",
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
        ...(o.agent ? { agent: o.agent } : {}),
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
  registerHostsRm(hosts, ctx);
}

/**
 * `bbbctl hosts rm ID…`: forgets dead or retired boards (hosts.remove): out of the registry, their
 * retained topics cleared, their history kept. A board still alive is refused (MGR_E_CONFLICT).
 */
export function registerHostsRm(hosts: Command, ctx: CliContext): void {
  hosts
    .command("rm")
    .argument("<ids...>", "board ids")
    .description("Forget dead or retired boards: registry entry and retained topics go, history stays")
    .option("--yes", "do not ask on the terminal for several boards")
    .option("--json", "JSON output for scripts")
    .addHelpText(
      "after",
      "\nA board that is alive is refused (MGR_E_CONFLICT); stop it first. Exit 1 if any board was not removed.\n" +
        "\nExamples:\n  bbbctl hosts rm a0f6fd8b1c22\n  bbbctl hosts --state lost --json | jq -r '.items[].id' | xargs bbbctl hosts rm --yes",
    )
    .action(async (ids: string[], o: { yes?: boolean; json?: boolean }) => {
      await confirmBulk(ctx.io, { what: "forget", count: ids.length, byFilter: false, yes: o.yes === true });
      const rpc = await ctx.client();
      const rows: { id: string; status: string; detail: string }[] = [];
      for (const id of ids) {
        try {
          const r = await rpc.call<{ removed: boolean }>("hosts.remove", { id });
          rows.push({ id, status: r.removed ? "removed" : "kept", detail: "" });
        } catch (e: unknown) {
          if (!(e instanceof RpcCallError)) throw e;
          rows.push({ id, status: "refused", detail: `${e.code || e.rpcCode}: ${e.message}` });
        }
      }
      if (rows.some((r) => r.status !== "removed")) ctx.exitCode = EXIT.FAILED;
      ctx.io.stdout.write(
        o.json
          ? json(rows)
          : table(
              ["BOARD", "STATUS", "DETAIL"],
              rows.map((r) => [r.id, r.status, r.detail]),
              100,
            ),
      );
    });
}
