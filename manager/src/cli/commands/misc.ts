import { join } from "node:path";
import type { Command } from "commander";
import { deriveBoardToken, FLEET_SECRET_FILE } from "@bbb/broker";
import { boardIdSchema } from "@bbb/shared";
import { CliError, type CliContext } from "../context.js";
import { json, table, time } from "../format.js";

interface HistoryItem {
  id: number;
  ts: number;
  kind: string;
  boardId: string | null;
  hostname: string | null;
  by: string | null;
  message: string;
}

export function registerMisc(program: Command, ctx: CliContext): void {
  program
    .command("token <boardId>")
    .description("Print a board's MQTT password: HMAC-SHA256 of the fleet secret over the board id (hex)")
    .option("--data-dir <dir>", "data directory holding the fleet secret (default BBB_DATA_DIR or ./data)")
    .action(async (boardId: string, o: { dataDir?: string }) => {
      if (!boardIdSchema.safeParse(boardId).success) throw new CliError(`not a board id: ${boardId}`);
      let secret = ctx.io.env.BBB_FLEET_SECRET ?? "";
      if (secret === "") {
        // Read, never create: a fresh secret here would print a token no broker accepts.
        const file = join(o.dataDir ?? ctx.io.env.BBB_DATA_DIR ?? "./data", FLEET_SECRET_FILE);
        try {
          secret = (await ctx.io.readFile(file)).trim();
        } catch {
          throw new CliError(
            `no fleet secret: set BBB_FLEET_SECRET or point --data-dir at the server's data directory (${file} not readable)`,
          );
        }
      }
      ctx.io.stdout.write(deriveBoardToken(secret, boardId) + "\n");
    });

  program
    .command("history <board>")
    .description("State changes, commands and results of one board, newest first")
    .option("--limit <n>", "entries", "50")
    .option("--since <iso>", "only entries after this time (e.g. 2026-01-31T08:00)")
    .option("--json", "JSON output")
    .action(async (board: string, o: { limit: string; since?: string; json?: boolean }) => {
      const since = o.since ? Date.parse(o.since) : undefined;
      if (since !== undefined && Number.isNaN(since)) throw new CliError(`not a time: ${o.since}`);
      const r = await (
        await ctx.client()
      ).call<{ items: HistoryItem[] }>("hosts.history", {
        id: board,
        limit: Number(o.limit),
        ...(since !== undefined ? { since } : {}),
      });
      ctx.io.stdout.write(
        o.json
          ? json(r.items)
          : table(
              ["TIME", "KIND", "BY", "MESSAGE"],
              r.items.map((h) => [time(h.ts), h.kind, h.by ?? "-", h.message]),
              120,
            ),
      );
    });

  program
    .command("info")
    .description("Server version, ports and counts")
    .action(async () => {
      ctx.io.stdout.write(json(await (await ctx.client()).call("server.info", {})));
    });

  program
    .command("methods")
    .description("Methods your role may call on the socket")
    .action(async () => {
      const r = await (await ctx.client()).call<{ name: string; role: string; description: string }[]>("methods.list");
      ctx.io.stdout.write(
        table(
          ["METHOD", "ROLE", "DESCRIPTION"],
          r.map((m) => [m.name, m.role, m.description]),
          100,
        ),
      );
    });

  program
    .command("call <method> [params]")
    .description("Call any method with JSON params and print the JSON result")
    .action(async (method: string, params: string | undefined) => {
      let p: unknown;
      try {
        p = params === undefined ? undefined : JSON.parse(params);
      } catch {
        throw new CliError('params must be JSON, e.g. \'{"id":"a0f6fd8b1c22"}\'');
      }
      ctx.io.stdout.write(json(await (await ctx.client()).call(method, p)));
    });
}
