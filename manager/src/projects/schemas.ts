import { z } from "zod";
import { manifestSchema, nameSchema, sha256HexSchema } from "@bbb/shared";

// The manifest is the contract with the agent: one schema, in @bbb/shared (schemas/manifest.ts).
export {
  MANIFEST_FILE,
  MANIFEST_VERSION,
  fileModeSchema,
  manifestDirSchema,
  manifestFileSchema,
  manifestLinkSchema,
  manifestSchema,
  sha256HexSchema,
  type Manifest,
  type ManifestDir,
  type ManifestFile,
  type ManifestLink,
} from "@bbb/shared";

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

/** sftp.info: where agents fetch projects and the host key they pin (bbbctl provision). */
export const sftpInfoParamsSchema = z.object({}).strict().default({});
export const sftpInfoResultSchema = z
  .object({
    port: z.number().int().min(0).max(65535).nullable(),
    /** "SHA256:…" as OpenSSH prints it; null while the SFTP server is not running. */
    hostKeyFingerprint: z.string().max(64).nullable(),
  })
  .strict();
