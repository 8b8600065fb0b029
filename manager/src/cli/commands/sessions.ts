import type { Command } from "commander";
import type { AuditRecordView, TokenInfo } from "@bbb/shared";
import type { CliContext } from "../context.js";
import { json, table, time } from "../format.js";

/** `bbbctl tokens list|revoke`, `bbbctl sign-out` (docs/protocol.md "Sessions") and `bbbctl audit`. */
export function registerSessions(program: Command, ctx: CliContext): void {
  const tokens = program.command("tokens").description("API tokens: list them, revoke one (admins: anyone's)");
  tokens
    .command("list")
    .description("List API tokens (yours; admins: everyone's)")
    .option("--of <username>", "only this user's tokens (admins)")
    .option("--json", "JSON output")
    .action(async (o: { of?: string; json?: boolean }) => {
      const r = await (await ctx.client()).call<{ items: TokenInfo[] }>("tokens.list", o.of ? { username: o.of } : {});
      ctx.io.stdout.write(
        o.json
          ? json(r.items)
          : table(
              ["ID", "USER", "ROLE", "ISSUED", "EXPIRES", "LAST USED"],
              r.items.map((t) => [t.id, t.username, t.role, time(t.issuedAt), time(t.expiresAt), time(t.lastUsedAt)]),
            ),
      );
    });
  tokens
    .command("revoke <id>")
    .description("Revoke one token now, on every door; connections it opened are closed")
    .action(async (id: string) => {
      ctx.io.stdout.write(json(await (await ctx.client()).call("tokens.revoke", { id })));
    });
  program
    .command("sign-out [username]")
    .description("Sign a user out everywhere (yourself by default): tokens revoked, live connections closed")
    .action(async (username?: string) => {
      ctx.io.stdout.write(json(await (await ctx.client()).call("users.signOut", username ? { username } : {})));
    });
  program
    .command("audit")
    .description("The audit trail of mutating calls, newest first (admin)")
    .option("--of <username>", "only this user's calls")
    .option("--method <name>", "only this method")
    .option("--limit <n>", "rows", "50")
    .option("--json", "JSON output")
    .action(async (o: { of?: string; method?: string; limit: string; json?: boolean }) => {
      const params = {
        limit: Number(o.limit),
        ...(o.of ? { username: o.of } : {}),
        ...(o.method ? { method: o.method } : {}),
      };
      const r = await (await ctx.client()).call<{ items: AuditRecordView[] }>("audit.list", params);
      ctx.io.stdout.write(
        o.json
          ? json(r.items)
          : table(
              ["TIME", "USER", "ROLE", "DOOR", "PEER", "METHOD", "RESULT", "PARAMS"],
              r.items.map((a) => [time(a.ts), a.username, a.role, a.via, a.peer, a.method, a.result, a.params]),
            ),
      );
    });
}
