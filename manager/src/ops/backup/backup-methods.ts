import { z } from "zod";
import { defineMethod, type MethodDef } from "../../service/method.js";
import type { BackupService } from "./backup-service.js";
import { backupNameSchema, manifestFileSchema } from "./manifest.js";

/** Largest chunk of `server.backupChunk`: its base64 stays under the MQTT packet limit (256 KiB). */
export const MAX_BACKUP_CHUNK = 128 * 1024;

const backupResultSchema = z.object({
  name: backupNameSchema,
  path: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  createdAt: z.number().int(),
  files: z.array(manifestFileSchema),
});

/**
 * Backup through the service layer (every front door): `server.backup` makes an archive in the
 * server's backups folder and says where; `server.backupChunk` reads it back in base64 chunks
 * (bbbctl backup). REST has `POST /api/server/backup` streaming the archive itself (backup-route.ts).
 */
export function createBackupMethods(backups: () => BackupService): MethodDef[] {
  return [
    defineMethod({
      name: "server.backup",
      description:
        "Makes a consistent backup of the data dir (SQLite online backup + users, secrets, host key, webhooks) " +
        "as .tar.gz in <dataDir>/backups; returns its name, size, sha256 and file list.",
      role: "admin",
      params: z.object({}).strict().default({}),
      result: backupResultSchema,
      handler: () => backups().create(),
    }),
    defineMethod({
      name: "server.backupChunk",
      description: "Reads a backup made by server.backup: `length` bytes (≤ 128 KiB) from `offset`, base64.",
      role: "admin",
      params: z
        .object({
          name: backupNameSchema,
          offset: z.number().int().min(0),
          length: z.number().int().min(1).max(MAX_BACKUP_CHUNK).default(MAX_BACKUP_CHUNK),
        })
        .strict(),
      result: z.object({ data: z.string(), eof: z.boolean(), bytes: z.number().int() }),
      handler: async (p) => {
        const r = await backups().read(p.name, p.offset, p.length);
        return { data: r.data.toString("base64"), eof: r.eof, bytes: r.bytes };
      },
    }),
  ];
}
