import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { CliError } from "../context.js";
import { json, list, table, time } from "../format.js";

/** "90m", "2h", "1d", "30s" → milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(s.trim());
  if (!m) throw new CliError(`not a duration: ${s} (e.g. 30m, 2h, 1d)`);
  const unit = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
  return Math.round(Number(m[1]) * unit);
}

async function show(ctx: CliContext, method: string, params: unknown): Promise<void> {
  ctx.io.stdout.write(json(await (await ctx.client()).call(method, params)));
}

interface Window {
  id: string;
  reason: string;
  all: boolean;
  boardIds: string[];
  sectors: string[];
  from: number | null;
  until: number;
  by: string | null;
}

interface Rule {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  states: string[];
  delayMs: number;
  sectors: string[];
  hasSecret: boolean;
}

/** users, maintenance windows and webhook rules. */
export function registerAdmin(program: Command, ctx: CliContext): void {
  const users = program.command("users").description("Users and their roles (admin only)");
  users
    .command("list")
    .description("List the users and their roles")
    .action(async () => {
      const r = await (await ctx.client()).call<{ items: { username: string; role: string }[] }>("users.list", {});
      ctx.io.stdout.write(
        table(
          ["USER", "ROLE"],
          r.items.map((u) => [u.username, u.role]),
        ),
      );
    });
  users
    .command("set <username>")
    .description("Create a user or change its role; the password comes from BBB_NEW_PASSWORD")
    .requiredOption("--role <role>", "viewer, operator or admin")
    .action(async (username: string, o: { role: string }) => {
      const password = ctx.io.env.BBB_NEW_PASSWORD;
      await show(ctx, "users.upsert", { username, role: o.role, ...(password ? { password } : {}) });
    });
  users
    .command("rm <username>")
    .description("Remove a user (their tokens stop working)")
    .action(async (username: string) => show(ctx, "users.remove", { username }));

  const maint = program
    .command("maintenance")
    .description("Maintenance windows: webhooks stay silent for these boards / sectors");
  maint
    .command("list")
    .description("List the maintenance windows")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const r = await (await ctx.client()).call<{ items: Window[] }>("maintenance.list", {});
      const what = (w: Window) =>
        w.all ? "all boards" : [...w.sectors.map((s) => `sector ${s}`), ...w.boardIds].join(", ");
      ctx.io.stdout.write(
        o.json
          ? json(r.items)
          : table(
              ["ID", "COVERS", "FROM", "UNTIL", "BY", "REASON"],
              r.items.map((w) => [w.id, what(w), time(w.from), time(w.until), w.by ?? "-", w.reason]),
            ),
      );
    });
  maint
    .command("set <id>")
    .description("Create or replace a window, e.g. maintenance set rack5 --sector 5 --for 2h --reason 'rack move'")
    .option("--sector <sectors>", "sectors covered", list)
    .option("--board <ids>", "boards covered", list)
    .option("--all", "the whole fleet")
    .option("--for <duration>", "from now, for this long (30m, 2h, 1d)")
    .option("--until <iso>", "end time, e.g. 2026-02-01T18:00")
    .option("--reason <text>", "why", "")
    .action(
      async (
        id: string,
        o: { sector?: string[]; board?: string[]; all?: boolean; for?: string; until?: string; reason: string },
      ) => {
        const now = ctx.io.now();
        const until = o.for ? now + parseDuration(o.for) : o.until ? Date.parse(o.until) : NaN;
        if (Number.isNaN(until)) throw new CliError("give --for <duration> or --until <time>");
        await show(ctx, "maintenance.upsert", {
          id,
          sectors: o.sector ?? [],
          boardIds: o.board ?? [],
          all: o.all === true,
          until,
          reason: o.reason,
        });
      },
    );
  maint
    .command("rm <id>")
    .description("End a window")
    .action(async (id: string) => show(ctx, "maintenance.remove", { id }));

  const hooks = program
    .command("webhooks")
    .description("Webhook rules: POST to a URL when boards stay in a state too long");
  hooks
    .command("list")
    .description("List the webhook rules")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const r = await (await ctx.client()).call<{ items: Rule[] }>("webhooks.list", {});
      ctx.io.stdout.write(
        o.json
          ? json(r.items)
          : table(
              ["ID", "ON", "STATES", "AFTER", "SECTORS", "URL"],
              r.items.map((h) => [
                h.id,
                h.enabled ? "yes" : "no",
                h.states.join(","),
                `${h.delayMs / 1000}s`,
                h.sectors.join(",") || "all",
                h.url,
              ]),
              80,
            ),
      );
    });
  hooks
    .command("set <id>")
    .description("Create or replace a rule; the signing secret comes from BBB_WEBHOOK_SECRET")
    .requiredOption("--url <url>", "receiver (http or https)")
    .option("--state <states>", "states that fire (default lost)", list)
    .option("--after <duration>", "how long a board must stay in the state (default 30s)")
    .option("--sector <sectors>", "only these sectors", list)
    .option("--type <types>", "only these types", list)
    .option("--group <duration>", "boards of one sector within this window are one incident (default 10s)")
    .option("--no-resolved", "do not notify when the incident ends")
    .option("--disabled", "store the rule switched off")
    .option("--name <text>", "label shown in notifications", "")
    .action(
      async (
        id: string,
        o: {
          url: string;
          state?: string[];
          after?: string;
          sector?: string[];
          type?: string[];
          group?: string;
          resolved: boolean;
          disabled?: boolean;
          name: string;
        },
      ) => {
        const secret = ctx.io.env.BBB_WEBHOOK_SECRET;
        await show(ctx, "webhooks.upsert", {
          id,
          name: o.name,
          url: o.url,
          enabled: o.disabled !== true,
          ...(o.state ? { states: o.state } : {}),
          ...(o.after ? { delayMs: parseDuration(o.after) } : {}),
          ...(o.group ? { groupWindowMs: parseDuration(o.group) } : {}),
          sectors: o.sector ?? [],
          types: o.type ?? [],
          sendResolved: o.resolved,
          ...(secret ? { secret } : {}),
        });
      },
    );
  hooks
    .command("rm <id>")
    .description("Remove a webhook rule")
    .action(async (id: string) => show(ctx, "webhooks.remove", { id }));
  hooks
    .command("deliveries")
    .description("Recent notifications and their outcome")
    .option("--rule <id>", "only this rule's deliveries")
    .option("--json", "JSON output")
    .action(async (o: { rule?: string; json?: boolean }) => {
      const r = await (
        await ctx.client()
      ).call<{
        items: {
          createdAt: number;
          ruleId: string;
          event: string;
          status: string;
          attempts: number;
          boards: number;
          lastError: string | null;
        }[];
      }>("webhooks.deliveries", o.rule ? { ruleId: o.rule } : {});
      ctx.io.stdout.write(
        o.json
          ? json(r.items)
          : table(
              ["TIME", "RULE", "EVENT", "STATUS", "TRIES", "BOARDS", "ERROR"],
              r.items.map((d) => [
                time(d.createdAt),
                d.ruleId,
                d.event,
                d.status,
                d.attempts,
                d.boards,
                d.lastError ?? "",
              ]),
            ),
      );
    });
}
