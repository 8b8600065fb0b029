import { posix } from "node:path";
import { MANIFEST_FILE, type Manifest } from "@bbb/shared";

// The manifest the manager serves as `/<type>/.bbb-manifest.json`: one schema, in @bbb/shared.
export { MANIFEST_FILE, manifestSchema, type Manifest, type ManifestFile } from "@bbb/shared";
/** A manifest larger than this is refused (100,000 files take about 15 MB). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

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
