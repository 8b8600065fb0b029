import { z } from "zod";
import { nameSchema, projectPathSchema } from "@bbb/shared";

/**
 * The manifest of a materialised project: what the agent fetches as `/<type>/.bbb-manifest.json`
 * over SFTP and compares with its tree. Entries are sorted by path (code-unit order) so the
 * manifest of a local folder hashes to a stable revision. The agent keeps an identical schema
 * (agent/src/sync/manifest.ts): the file is the contract between the two.
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
    /** git commit id, or sha256 of the entry lists for a local folder. */
    revision: z.string().min(1).max(64),
    source: z.enum(["git", "local"]),
    generatedAt: z.number().int().nonnegative(),
    rcLocalPath: projectPathSchema.nullable(),
    rcLocalHash: sha256HexSchema.nullable(),
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

export const projectErrorInfoSchema = z.object({ code: z.string().max(64), message: z.string().max(2048) }).strict();

/** What the store knows about one type's project (projects.list, projects.refresh). */
export const projectInfoSchema = z
  .object({
    type: nameSchema,
    source: z.enum(["git", "local"]).nullable(),
    revision: z.string().max(64).nullable(),
    rcLocalHash: sha256HexSchema.nullable(),
    overlay: z.string().max(128).nullable(),
    files: z.number().int().nonnegative(),
    totalBytes: z.number().int().nonnegative(),
    /** When the live tree was built (ms). */
    builtAt: z.number().int().nonnegative().nullable(),
    /** When the source was last checked, successfully or not (ms). */
    checkedAt: z.number().int().nonnegative().nullable(),
    /** The last refresh failure; the previous tree stays live. */
    error: projectErrorInfoSchema.nullable(),
    /** Entries left out of the tree (escaping symlinks, special files). */
    skipped: z.array(z.string().max(600)).max(100),
  })
  .strict();
export type ProjectInfo = z.infer<typeof projectInfoSchema>;

export const projectsListParamsSchema = z.object({}).strict().default({});
export const projectsListResultSchema = z.object({ projects: z.array(projectInfoSchema) }).strict();
export const projectTypeParamsSchema = z.object({ type: nameSchema }).strict();
export const projectsRefreshResultSchema = projectInfoSchema;
export const projectsManifestResultSchema = manifestSchema;
