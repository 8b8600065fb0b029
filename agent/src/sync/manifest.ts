import { posix } from "node:path";
import { z } from "zod";
import { nameSchema, projectPathSchema } from "@bbb/shared";

/**
 * The project manifest the manager serves as `/<type>/.bbb-manifest.json` (same schema as
 * manager/src/projects/schemas.ts: the file is the contract between the two).
 */
export const MANIFEST_FILE = ".bbb-manifest.json";
/** A manifest larger than this is refused (100,000 files take about 15 MB). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const mode = z.number().int().min(0).max(0o777);

export const manifestSchema = z
  .object({
    v: z.literal(1),
    type: nameSchema,
    revision: z.string().min(1).max(64),
    source: z.enum(["git", "local"]),
    generatedAt: z.number().int().nonnegative(),
    rcLocalPath: projectPathSchema.nullable(),
    rcLocalHash: sha256Hex.nullable(),
    overlay: z.string().max(128).nullable(),
    totalBytes: z.number().int().nonnegative(),
    files: z.array(
      z.object({ path: projectPathSchema, size: z.number().int().nonnegative(), mode, sha256: sha256Hex }).strict(),
    ),
    dirs: z.array(z.object({ path: projectPathSchema, mode }).strict()),
    links: z.array(z.object({ path: projectPathSchema, target: z.string().min(1).max(1024) }).strict()),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest["files"][number];

function linkStaysInside(linkPath: string, target: string): boolean {
  if (target.startsWith("/") || target.includes("\0")) return false;
  const r = posix.normalize(posix.join(posix.dirname(linkPath), target));
  return r !== ".." && !r.startsWith("../") && r !== ".";
}

/**
 * What the schema cannot say: every path appears once, the manifest's own name is not an
 * entry, every parent of an entry is a listed folder (never a file or a link, so nothing is
 * written through a symlink), and links point inside the tree. Returns the first problem.
 */
export function manifestProblem(m: Manifest): string | null {
  const kinds = new Map<string, "file" | "dir" | "link">();
  for (const [list, kind] of [
    [m.files, "file"],
    [m.dirs, "dir"],
    [m.links, "link"],
  ] as const) {
    for (const e of list) {
      if (kinds.has(e.path)) return `duplicate path ${e.path}`;
      if (e.path === MANIFEST_FILE) return `reserved path ${e.path}`;
      kinds.set(e.path, kind);
    }
  }
  for (const p of kinds.keys()) {
    const parent = posix.dirname(p);
    if (parent !== "." && kinds.get(parent) !== "dir") return `parent of ${p} is not a listed folder`;
  }
  for (const l of m.links) if (!linkStaysInside(l.path, l.target)) return `link ${l.path} points outside the project`;
  if (m.rcLocalPath !== null && m.rcLocalHash !== null && !m.files.some((f) => f.path === m.rcLocalPath)) {
    return `rc.local path ${m.rcLocalPath} is not a file of the project`;
  }
  return null;
}
