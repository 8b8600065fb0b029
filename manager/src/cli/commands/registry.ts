import { Command } from "commander";
import { hostnameToEpics, type BoardType, type NodeView, type Sector } from "@bbb/shared";
import { CliError, type CliContext } from "../context.js";
import { json, list, table } from "../format.js";
import { addFilterOptions, filterOf } from "../filter-options.js";
import { RpcCallError } from "../rpc-client.js";

/** Calls a method and prints its result as JSON. */
async function show(ctx: CliContext, method: string, params: unknown): Promise<void> {
  ctx.io.stdout.write(json(await (await ctx.client()).call(method, params)));
}

const isNotFound = (e: unknown) => e instanceof RpcCallError && e.code === "MGR_E_NOT_FOUND";

/** The current object, or null when it does not exist yet (`set` edits what is there). */
async function current<T>(get: () => Promise<T>): Promise<T | null> {
  try {
    return await get();
  } catch (e: unknown) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

function sourceText(t: BoardType): string {
  if (!t.source) return "-";
  return t.source.kind === "git" ? `${t.source.url}#${t.source.ref}` : t.source.path;
}

function registerTypes(parent: Command, ctx: CliContext): void {
  const types = parent.command("types").description("Board types: the device a board drives and its project");
  types
    .command("list")
    .description("List the board types with their project source and revision")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const r = await (await ctx.client()).call<{ items: BoardType[] }>("types.list", {});
      ctx.io.stdout.write(
        o.json
          ? json(r.items)
          : table(
              ["NAME", "DESCRIPTION", "SOURCE", "REVISION"],
              r.items.map((t) => [t.name, t.description, sourceText(t), t.revision ?? "-"]),
            ),
      );
    });
  types
    .command("get <name>")
    .description("Show one type as JSON")
    .action(async (name: string) => show(ctx, "types.get", { name }));
  types
    .command("set <name>")
    .description("Create or change a type; only the given fields change")
    .option("--description <text>", "what the type's boards drive")
    .option("--colour <#rrggbb>", "colour of the type in the dashboard")
    .option("--git <url>", "project from a git repository")
    .option("--ref <ref>", "git branch, tag or commit", "main")
    .option("--local <path>", "project from a folder on the server")
    .option("--no-source", "no project")
    .option("--rc-local <path>", "path of rc.local inside the project")
    .option("--overlay <name>", "device-tree overlay (*.dtbo)")
    .option("--pv-pattern <pattern>", "default PV prefix pattern")
    .action(async (name: string, o: Record<string, string | boolean | undefined>) => {
      const rpc = await ctx.client();
      const base = (await current(() => rpc.call<BoardType>("types.get", { name }))) ?? { name };
      const { revision: _r, rcLocalHash: _h, ...t } = base as BoardType;
      const next: Record<string, unknown> = { ...t, name };
      if (o.description !== undefined) next.description = o.description;
      if (o.colour !== undefined) next.colour = o.colour;
      if (typeof o.git === "string") next.source = { kind: "git", url: o.git, ref: o.ref };
      else if (typeof o.local === "string") next.source = { kind: "local", path: o.local };
      else if (o.source === false) next.source = null;
      if (o.rcLocal !== undefined) next.rcLocalPath = o.rcLocal;
      if (o.overlay !== undefined) next.overlay = o.overlay;
      if (o.pvPattern !== undefined) next.pvPrefixPattern = o.pvPattern;
      ctx.io.stdout.write(json(await rpc.call("types.upsert", next)));
    });
  types
    .command("rm <name>")
    .description("Remove a type (refused while nodes use it, unless --force)")
    .option("--force", "remove even if nodes use it")
    .action(async (name: string, o: { force?: boolean }) => {
      await show(ctx, "types.remove", { name, force: o.force === true });
    });
}

function nodeIp(n: NodeView["node"]): string {
  return n.ip.mode === "dhcp" ? "dhcp" : n.ip.ip;
}

function registerNodes(parent: Command, ctx: CliContext): void {
  const nodes = parent.command("nodes").description("Nodes: the registered configuration of each expected board");
  addFilterOptions(nodes.command("list").description("List the nodes with their bound board and state"), {
    state: "only nodes in these states (online,missing,...)",
    sector: "only these sectors",
    type: "only these types",
  })
    .option("--text <text>", "substring of hostname, IP, type or board id")
    .option("--json", "JSON output")
    .action(async (o: { state?: string[]; sector?: string[]; type?: string[]; text?: string; json?: boolean }) => {
      const r = await (await ctx.client()).call<{ items: NodeView[] }>("nodes.list", filterOf(o));
      ctx.io.stdout.write(
        o.json
          ? json(r.items)
          : table(
              ["HOSTNAME", "TYPE", "SECTOR", "IP", "BOARD", "STATE"],
              r.items.map((v) => [
                hostnameToEpics(v.node.hostname),
                v.node.type,
                v.node.sector ?? "-",
                nodeIp(v.node),
                v.boardId ?? "-",
                v.state,
              ]),
            ),
      );
    });
  nodes
    .command("get <hostname>")
    .description("Show one node (EPICS or Linux hostname) as JSON")
    .action(async (hostname: string) => show(ctx, "nodes.get", { hostname }));
  nodes
    .command("set <hostname>")
    .description("Create or change a node; only the given fields change")
    .option("--type <type>", "board type")
    .option("--dhcp", "address by DHCP")
    .option("--ip <ip>", "fixed IPv4 address")
    .option("--netmask <mask>", "netmask of the fixed address")
    .option("--gateway <ip>", "gateway of the fixed address")
    .option("--nameservers <ips>", "comma-separated", list)
    .option("--sector <name>", "sector ('none' to clear)")
    .option("--pv <prefixes>", "PV prefixes, comma-separated", list)
    .option("--board <id>", "bound board id ('none' to unbind)")
    .option("--notes <text>", "free text for operators")
    .action(async (hostname: string, o: Record<string, string | string[] | boolean | undefined>) => {
      const rpc = await ctx.client();
      const existing = await current(() => rpc.call<NodeView>("nodes.get", { hostname }));
      const next: Record<string, unknown> = existing ? { ...existing.node } : { hostname };
      if (o.type !== undefined) next.type = o.type;
      if (o.dhcp) next.ip = { mode: "dhcp" };
      else if (o.ip !== undefined || o.netmask !== undefined || o.gateway !== undefined) {
        const prev = existing?.node.ip.mode === "manual" ? existing.node.ip : null;
        next.ip = {
          mode: "manual",
          ip: o.ip ?? prev?.ip,
          netmask: o.netmask ?? prev?.netmask,
          gateway: o.gateway ?? prev?.gateway,
        };
      }
      if (o.nameservers !== undefined) next.nameservers = o.nameservers;
      if (o.sector !== undefined) next.sector = o.sector === "none" ? null : o.sector;
      if (o.pv !== undefined) next.pvPrefixes = o.pv;
      if (o.board !== undefined) next.boardId = o.board === "none" ? null : o.board;
      if (o.notes !== undefined) next.notes = o.notes;
      if (!existing && (next.type === undefined || next.ip === undefined))
        throw new CliError("a new node needs --type and --dhcp or --ip/--netmask/--gateway");
      ctx.io.stdout.write(json(await rpc.call("nodes.upsert", next)));
    });
  nodes
    .command("rm <hostname>")
    .description("Remove a node (its board, if any, stays in the registry)")
    .action(async (hostname: string) => show(ctx, "nodes.remove", { hostname }));
  nodes
    .command("bind <hostname> <boardId>")
    .description("Bind a board to a node (swap a dead board for a spare); the board adopts the node unless --no-apply")
    .option("--no-apply", "only record the binding")
    .action(async (hostname: string, boardId: string, o: { apply: boolean }) => {
      await show(ctx, "nodes.bind", { hostname, boardId, apply: o.apply });
    });
}

function registerSectors(parent: Command, ctx: CliContext): void {
  const sectors = parent
    .command("sectors")
    .description("Sectors: named sets of CIDRs; a board's sector comes from its IP");
  const all = async () => (await (await ctx.client()).call<{ items: Sector[] }>("sectors.list", {})).items;
  sectors
    .command("list")
    .description("List the sectors with their CIDRs")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const items = await all();
      ctx.io.stdout.write(
        o.json
          ? json(items)
          : table(
              ["NAME", "CIDRS"],
              items.map((s) => [s.name, s.cidrs.join(" ")]),
              200,
            ),
      );
    });
  sectors
    .command("get <name>")
    .description("Show one sector as JSON")
    .action(async (name: string) => {
      const s = (await all()).find((x) => x.name === name);
      if (!s) throw new CliError(`no sector ${name}`);
      ctx.io.stdout.write(json(s));
    });
  sectors
    .command("set <name>")
    .description("Create a sector or replace its CIDRs")
    .requiredOption("--cidrs <cidrs>", "comma-separated CIDRs, e.g. 10.128.30.0/24", list)
    .action(async (name: string, o: { cidrs: string[] }) => show(ctx, "sectors.upsert", { name, cidrs: o.cidrs }));
  sectors
    .command("rm <name>")
    .description("Remove a sector")
    .action(async (name: string) => show(ctx, "sectors.remove", { name }));
}

export function registerRegistry(program: Command, ctx: CliContext): void {
  registerTypes(program, ctx);
  registerNodes(program, ctx);
  registerSectors(program, ctx);
}
