import { createHash, randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { CliError, type CliContext } from "../context.js";

interface BackupResult {
  name: string;
  bytes: number;
  sha256: string;
  createdAt: number;
  files: { path: string; bytes: number }[];
}

const CHUNK = 128 * 1024;

/**
 * `bbbctl backup <file.tar.gz>`: the server makes a consistent backup (server.backup, admin) in
 * its data dir, and the CLI downloads it over the command socket in chunks
 * (server.backupChunk), checks its sha256 and only then renames it into place.
 */
export function registerBackup(program: Command, ctx: CliContext): void {
  program
    .command("backup <file>")
    .description("Back up the running server's data dir (admin): a .tar.gz with a sha256 manifest")
    .action(async (file: string) => {
      const target = resolve(file);
      const rpc = await ctx.client();
      const b = await rpc.call<BackupResult>("server.backup", {});
      const tmp = `${target}.${randomBytes(4).toString("hex")}.part`;
      const fh = await open(tmp, "wx", 0o600);
      const hash = createHash("sha256");
      let offset = 0;
      try {
        for (;;) {
          const c = await rpc.call<{ data: string; eof: boolean }>("server.backupChunk", {
            name: b.name,
            offset,
            length: CHUNK,
          });
          const data = Buffer.from(c.data, "base64");
          hash.update(data);
          await fh.write(data);
          offset += data.length;
          if (c.eof || data.length === 0) break;
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (offset !== b.bytes || hash.digest("hex") !== b.sha256) {
        await rm(tmp, { force: true });
        throw new CliError(`download of ${b.name} is corrupt (size or sha256 differs); nothing written`);
      }
      await rename(tmp, target);
      ctx.io.stdout.write(
        `${target}: ${b.bytes} bytes, ${b.files.length} files, sha256 ${b.sha256}\n` +
          `(also kept on the server as backups/${b.name})\n`,
      );
    });
}
