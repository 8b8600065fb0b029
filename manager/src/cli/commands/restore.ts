import { resolve } from "node:path";
import type { Command } from "commander";
import { isCodedError } from "@bbb/shared";
import { restoreBackup, verifyBackup } from "../../ops/backup/restore.js";
import { CliError, type CliContext } from "../context.js";

/**
 * `bbbctl restore <file>`: offline, on the server's machine (or in its container), into a stopped
 * server's data dir. Verifies the whole archive first; the previous content is kept in
 * `<dataDir>/.previous-<time>/`.
 */
export function registerRestore(program: Command, ctx: CliContext): void {
  program
    .command("restore <file>")
    .description("Restore a backup into a stopped server's data dir (refuses while the server runs)")
    .option("--data-dir <dir>", "data directory (default BBB_DATA_DIR or ./data)")
    .option("--check", "only verify the archive against its manifest; change nothing")
    .option("--force", "restore although the lock file was written on another host (that server is stopped)")
    .action(async (file: string, o: { dataDir?: string; check?: boolean; force?: boolean }) => {
      const archive = resolve(file);
      try {
        if (o.check) {
          const m = await verifyBackup(archive);
          ctx.io.stdout.write(
            `${archive}: intact, ${m.files.length} files, made ${new Date(m.createdAt).toISOString()} by server ${m.serverVersion}\n`,
          );
          return;
        }
        const dataDir = resolve(o.dataDir ?? ctx.io.env.BBB_DATA_DIR ?? "./data");
        const r = await restoreBackup({ file: archive, dataDir, force: o.force === true });
        ctx.io.stdout.write(
          `restored ${r.manifest.files.length} files into ${dataDir}` +
            (r.previous ? `; the previous content is in ${r.previous}\n` : "\n"),
        );
      } catch (e: unknown) {
        if (isCodedError(e)) throw new CliError(e.message);
        throw e;
      }
    });
}
