import { join } from "node:path";
import { mosquittoExportResultSchema } from "@bbb/shared";
import { writeFileAtomic } from "@bbb/shared/node";
import { CliError, type CliContext } from "../context.js";

/** File names `bbbctl export mosquitto` writes, as docs/deployment.md's mosquitto.conf names them. */
export const MOSQUITTO_FILES = { password: "passwd", acl: "acl" } as const;

/**
 * `bbbctl export mosquitto --out-dir DIR [--board ID…]`: mosquitto's password file (mode 0600: it
 * holds hashes) and ACL file, written atomically (docs/deployment.md §"An existing MQTT broker").
 * mosquitto reads them again on SIGHUP.
 */
export async function exportMosquitto(ctx: CliContext, o: { outDir?: string; board?: string[] }): Promise<void> {
  if (!o.outDir) throw new CliError("export mosquitto needs --out-dir <dir> (the password file must not go to a terminal)");
  const rpc = await ctx.client();
  const r = mosquittoExportResultSchema.parse(await rpc.call("mosquitto.export", o.board ? { boards: o.board } : {}));
  const passwd = join(o.outDir, MOSQUITTO_FILES.password);
  const acl = join(o.outDir, MOSQUITTO_FILES.acl);
  await writeFileAtomic(passwd, r.passwordFile, 0o600);
  await writeFileAtomic(acl, r.aclFile, 0o644);
  ctx.io.stdout.write(`${passwd}: the manager, ${r.users} user(s), ${r.boards} board(s)\n${acl}\n`);
  if (r.usersWithoutHash.length > 0) {
    ctx.io.stderr.write(
      `bbbctl: left out until they log in once (or get a new password): ${r.usersWithoutHash.join(", ")}\n`,
    );
  }
}
