import { lstat, mkdir, readdir, readlink, rename, rm, symlink, unlink } from "node:fs/promises";
import { readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { decodePayload } from "@bbb/shared";
import { MANIFEST_FILE, manifestSchema, type Manifest } from "./schemas.js";

/**
 * Layout under `<dataDir>/projects` (the SFTP root):
 *   <type>                    symlink to .trees/<type>/<id>: the live tree, swapped atomically
 *   .trees/<type>/<id>/       built trees (the live one and the previous one, for readers mid-download)
 *   .git-cache/<type>.git     bare mirror of a git source
 *   .work/                    throw-away index files and link names
 * Type names never start with '.', so the internal folders cannot collide with a type, and
 * the SFTP server refuses any top-level name starting with '.'.
 */
export function createStoreLayout(dataDir: string) {
  const projectsDir = join(dataDir, "projects");
  return {
    projectsDir,
    live: (type: string) => join(projectsDir, type),
    treesOf: (type: string) => join(projectsDir, ".trees", type),
    tree: (type: string, id: string) => join(projectsDir, ".trees", type, id),
    gitCache: (type: string) => join(projectsDir, ".git-cache", `${type}.git`),
    workDir: join(projectsDir, ".work"),
  };
}
export type StoreLayout = ReturnType<typeof createStoreLayout>;

export async function ensureLayout(l: StoreLayout): Promise<void> {
  await mkdir(join(l.projectsDir, ".trees"), { recursive: true });
  await mkdir(join(l.projectsDir, ".git-cache"), { recursive: true });
  await mkdir(l.workDir, { recursive: true });
}

/** The id of the live tree of a type, or null. */
export async function liveTreeId(l: StoreLayout, type: string): Promise<string | null> {
  try {
    const target = await readlink(l.live(type));
    return target.split("/").pop() ?? null;
  } catch {
    return null;
  }
}

/** Points the live link at a built tree: a new link renamed over the old one, so readers see one tree or the other. */
export async function swapLive(l: StoreLayout, type: string, id: string): Promise<void> {
  const tmp = join(l.workDir, `${type}.link.${process.pid}.${Date.now()}`);
  await symlink(join(".trees", type, id), tmp);
  try {
    await rename(tmp, l.live(type));
  } catch (e: unknown) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Removes built trees of a type except those in `keep`. */
export async function pruneTrees(l: StoreLayout, type: string, keep: ReadonlySet<string>): Promise<void> {
  const names = await readdir(l.treesOf(type)).catch(() => [] as string[]);
  for (const n of names) if (!keep.has(n)) await rm(join(l.treesOf(type), n), { recursive: true, force: true });
}

export async function removeType(l: StoreLayout, type: string): Promise<void> {
  const st = await lstat(l.live(type)).catch(() => null);
  if (st?.isSymbolicLink()) await unlink(l.live(type));
  await rm(l.treesOf(type), { recursive: true, force: true });
  await rm(l.gitCache(type), { recursive: true, force: true });
}

/** The manifest of the live tree, read synchronously (lookups after a restart); null when absent or unreadable. */
export function readLiveManifest(l: StoreLayout, type: string): Manifest | null {
  try {
    readlinkSync(l.live(type));
    const text = readFileSync(join(l.live(type), MANIFEST_FILE), "utf8");
    const r = decodePayload(manifestSchema, text, 512 * 1024 * 1024);
    return r.ok ? r.value : null;
  } catch {
    return null;
  }
}
