import { z } from "zod";
import { nameSchema } from "../ids.js";
import { projectPathSchema } from "./registry.js";

/**
 * The manifest of a materialised project: the manager serves it as `/<type>/.bbb-manifest.json`
 * over SFTP (port 1026) and the agent compares it with its installed tree before a sync. It is
 * the contract between the two (docs/protocol.md §"Project store and SFTP"). Entries
 * are sorted by path (code-unit order) so a local folder's manifest hashes to a stable revision.
 */
export const MANIFEST_FILE = ".bbb-manifest.json";
export const MANIFEST_VERSION = 1 as const;

export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, "sha256: 64 lower-case hex digits");
/** Permission bits only: set-id and sticky bits never travel to a board. */
export const fileModeSchema = z.number().int().min(0).max(0o777);

export const manifestFileSchema = z
  .object({
    path: projectPathSchema,
    size: z.number().int().nonnegative(),
    mode: fileModeSchema,
    sha256: sha256HexSchema,
  })
  .strict();
export const manifestDirSchema = z.object({ path: projectPathSchema, mode: fileModeSchema }).strict();
/** A symbolic link that stays inside the project (relative target, checked when the tree is built). */
export const manifestLinkSchema = z.object({ path: projectPathSchema, target: z.string().min(1).max(1024) }).strict();

export const manifestSchema = z
  .object({
    v: z.literal(MANIFEST_VERSION),
    type: nameSchema,
    /** The git commit id, or for a local folder the sha256 of the entry lists. */
    revision: z.string().min(1).max(64),
    source: z.enum(["git", "local"]),
    generatedAt: z.number().int().nonnegative(),
    /** The type's rc.local inside the project, and the sha256 of that file (null: none). */
    rcLocalPath: projectPathSchema.nullable(),
    rcLocalHash: sha256HexSchema.nullable(),
    /** Pin-configuration overlay (`*.dtbo`) name of the type. */
    overlay: z.string().max(128).nullable(),
    totalBytes: z.number().int().nonnegative(),
    files: z.array(manifestFileSchema),
    dirs: z.array(manifestDirSchema),
    links: z.array(manifestLinkSchema),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof manifestFileSchema>;
export type ManifestDir = z.infer<typeof manifestDirSchema>;
export type ManifestLink = z.infer<typeof manifestLinkSchema>;
