import { join } from "node:path";
import type { Command } from "commander";
import { deriveBoardToken, FLEET_SECRET_FILE } from "@bbb/broker";
import { boardIdSchema, serverInfoResultSchema } from "@bbb/shared";
import { sftpInfoResultSchema } from "../../projects/schemas.js";
import { CliError, type CliContext } from "../context.js";
import { json } from "../format.js";

const LOOPBACK = /^(127\.|localhost$|::1$)/;

/**
 * The fleet secret, read and never created (a fresh one would give tokens no broker accepts):
 * BBB_FLEET_SECRET, else the file BBB_FLEET_SECRET_FILE, else `<data dir>/fleet-secret`.
 */
export async function readFleetSecret(ctx: CliContext, dataDir: string | undefined): Promise<string> {
  const env = ctx.io.env;
  if (env.BBB_FLEET_SECRET) return env.BBB_FLEET_SECRET;
  const file = env.BBB_FLEET_SECRET_FILE || join(dataDir ?? env.BBB_DATA_DIR ?? "./data", FLEET_SECRET_FILE);
  try {
    const s = (await ctx.io.readFile(file)).trim();
    if (s.length >= 16) return s;
  } catch {
    // Reported below with the remedy.
  }
  throw new CliError(
    `no fleet secret: set BBB_FLEET_SECRET or BBB_FLEET_SECRET_FILE, or point --data-dir at the server's data directory (${file} not readable)`,
  );
}

interface ProvisionOptions {
  mqttUrl?: string[];
  publicHost?: string;
  caFile: string;
  dataDir?: string;
}

/**
 * `bbbctl provision <boardId…>`: the agent config (/etc/bbb-agent/config.json) of each board —
 * broker URLs, board id, token, the SFTP project store and the host key it must present
 * (docs/protocol.md §"Authentication and ACL"). One board: pretty JSON; several: one JSON per line.
 */
export function registerProvision(program: Command, ctx: CliContext): void {
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  program
    .command("provision <boardIds...>")
    .description("Print the agent config (/etc/bbb-agent/config.json) of boards: broker URLs, token, SFTP store")
    .option(
      "--mqtt-url <url>",
      "broker URL the boards use (repeat for several; default from the server's ports)",
      collect,
    )
    .option("--public-host <host>", "host name or address the boards reach the server at (default: --host)")
    .option("--ca-file <path>", "CA file on the board, used with mqtts:// URLs", "/etc/bbb-agent/ca.pem")
    .option("--data-dir <dir>", "data directory holding the fleet secret (default BBB_DATA_DIR or ./data)")
    .action(async (boardIds: string[], o: ProvisionOptions) => {
      for (const id of boardIds) if (!boardIdSchema.safeParse(id).success) throw new CliError(`not a board id: ${id}`);
      const secret = await readFleetSecret(ctx, o.dataDir);
      const rpc = await ctx.client();
      const info = serverInfoResultSchema.parse(await rpc.call("server.info", {}));
      const methods = await rpc.call<{ name: string }[]>("methods.list");
      const sftp = methods.some((m) => m.name === "sftp.info")
        ? sftpInfoResultSchema.parse(await rpc.call("sftp.info", {}))
        : { port: null, hostKeyFingerprint: null };
      const host = o.publicHost ?? (await ctx.connection()).host;
      if (LOOPBACK.test(host) && !o.publicHost)
        ctx.io.stderr.write(
          `bbbctl: note: ${host} is this machine; boards need --public-host (or --host) they can reach\n`,
        );

      let mqttUrls = o.mqttUrl ?? [];
      if (mqttUrls.length === 0) {
        const mqtts = info.ports.mqtts ?? null;
        const mqtt = info.ports.mqtt ?? null;
        if (mqtts) mqttUrls = [`mqtts://${host}:${mqtts}`];
        else if (mqtt) mqttUrls = [`mqtt://${host}:${mqtt}`];
        else throw new CliError("the server runs no broker of its own: give the boards' broker with --mqtt-url");
      }
      const tls = mqttUrls.some((u) => /^(mqtts|wss|tls):/.test(u));
      const configs = boardIds.map((boardId) => ({
        boardId,
        mqttUrls,
        token: deriveBoardToken(secret, boardId),
        topicRoot: info.topicRoot,
        ...(tls ? { caFile: o.caFile } : {}),
        sftpHost: host,
        ...(sftp.port ? { sftpPort: sftp.port } : {}),
        ...(sftp.hostKeyFingerprint ? { sftpHostKeyFingerprint: sftp.hostKeyFingerprint } : {}),
      }));
      if (!sftp.port)
        ctx.io.stderr.write("bbbctl: note: the server runs no SFTP project store: sync-project will not work\n");
      if (tls) ctx.io.stderr.write(`bbbctl: note: copy the broker's CA certificate to ${o.caFile} on each board\n`);
      ctx.io.stdout.write(
        configs.length === 1 ? json(configs[0]) : configs.map((c) => JSON.stringify(c) + "\n").join(""),
      );
    });
}
