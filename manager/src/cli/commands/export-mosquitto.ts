import { join } from "node:path";
import { buildMosquittoFiles, createUserStore, USERS_FILE } from "@bbb/broker";
import { boardIdSchema, DEFAULT_TOPIC_ROOT, mosquittoExportResultSchema, type MosquittoExportResult } from "@bbb/shared";
import { writeFileAtomic } from "@bbb/shared/node";
import { pino } from "pino";
import { CliError, type CliContext } from "../context.js";
import { readFleetSecret } from "./provision.js";

/** File names `bbbctl export mosquitto` writes, as docs/deployment.md's mosquitto.conf names them. */
export const MOSQUITTO_FILES = { password: "passwd", acl: "acl" } as const;

export interface ExportMosquittoOptions {
  outDir?: string;
  board?: string[];
  /** Offline, before the manager's first start: the data dir's users.json and fleet secret. */
  dataDir?: string;
}

/** Offline: the manager cannot start until the broker admits it, so its first files come from the data dir. */
async function fromDataDir(ctx: CliContext, dataDir: string, boards: string[]): Promise<MosquittoExportResult> {
  const users = createUserStore({ file: join(dataDir, USERS_FILE), log: pino({ level: "silent" }) });
  await users.load();
  return buildMosquittoFiles({
    root: ctx.io.env.BBB_TOPIC_ROOT || DEFAULT_TOPIC_ROOT,
    fleetSecret: await readFleetSecret(ctx, dataDir),
    users: users.mosquittoEntries(),
    boards,
  });
}

/**
 * `bbbctl export mosquitto --out-dir DIR [--board ID…] [--data-dir DIR]`: mosquitto's password
 * file (mode 0600: it holds hashes) and ACL file, written atomically (docs/deployment.md §"An
 * existing MQTT broker"). mosquitto reads them again on SIGHUP.
 */
export async function exportMosquitto(ctx: CliContext, o: ExportMosquittoOptions): Promise<void> {
  if (!o.outDir) throw new CliError("export mosquitto needs --out-dir <dir> (the password file must not go to a terminal)");
  for (const id of o.board ?? []) if (!boardIdSchema.safeParse(id).success) throw new CliError(`not a board id: ${id}`);
  const r = o.dataDir
    ? await fromDataDir(ctx, o.dataDir, o.board ?? [])
    : mosquittoExportResultSchema.parse(await (await ctx.client()).call("mosquitto.export", o.board ? { boards: o.board } : {}));
  const passwd = join(o.outDir, MOSQUITTO_FILES.password);
  const acl = join(o.outDir, MOSQUITTO_FILES.acl);
  await writeFileAtomic(passwd, r.passwordFile, 0o600);
  await writeFileAtomic(acl, r.aclFile, 0o644);
  ctx.io.stdout.write(`${passwd}: the manager, ${r.users} user(s), ${r.boards} board(s)\n${acl}\n`);
  if (r.usersWithoutHash.length > 0) {
    ctx.io.stderr.write(`bbbctl: left out until they log in once (or get a new password): ${r.usersWithoutHash.join(", ")}\n`);
  }
}
