import { z } from "zod";

/** Folder of the data dir where `server.backup` keeps its archives. */
export const BACKUPS_DIR = "backups";
/** Last entry of every backup archive. */
export const MANIFEST_FILE = "manifest.json";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const manifestFileSchema = z
  .object({
    path: z.string().min(1).max(255),
    bytes: z.number().int().min(0),
    sha256,
    mode: z.number().int().min(0).max(0o777),
  })
  .strict();
export type ManifestFile = z.infer<typeof manifestFileSchema>;

/** What a backup archive holds, with a checksum per file (restore verifies before touching anything). */
export const backupManifestSchema = z
  .object({
    format: z.literal("bbb-backup"),
    version: z.literal(1),
    createdAt: z.number().int(),
    serverVersion: z.string(),
    files: z.array(manifestFileSchema).max(100_000),
  })
  .strict();
export type BackupManifest = z.infer<typeof backupManifestSchema>;

/** Name of an archive in the backups folder: no path, no surprises. */
export const backupNameSchema = z.string().regex(/^bbb-backup-[0-9TZ-]+(-[0-9a-f]{4})?\.tar\.gz$/);

export const backupName = (ts: number, suffix: string) =>
  `bbb-backup-${new Date(ts).toISOString().replace(/[:.]/g, "-")}-${suffix}.tar.gz`;
