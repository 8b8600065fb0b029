import { join } from "node:path";
import type { HashCache, LocalEntry } from "./local-tree.js";
import type { Manifest, ManifestFile } from "./manifest.js";

export interface SyncPlan {
  /** Files whose content is missing or differs: fetched over SFTP. */
  download: ManifestFile[];
  /** Same content, other mode: copied (not hard-linked, or the chmod would touch the live file). */
  modeOnly: ManifestFile[];
  /** Same content and mode: hard-linked into the staged tree. */
  keep: ManifestFile[];
  /** Links and folders that are new or differ (for the report). */
  otherChanged: string[];
  /** Local entries the manifest does not list. */
  removed: string[];
}

/** Compares the manifest with the installed tree (content by sha256, through the hash cache). */
export async function planSync(
  m: Manifest,
  local: Map<string, LocalEntry>,
  live: string,
  cache: HashCache,
  signal?: AbortSignal,
): Promise<SyncPlan> {
  const plan: SyncPlan = { download: [], modeOnly: [], keep: [], otherChanged: [], removed: [] };
  const listed = new Set<string>();
  for (const f of m.files) {
    listed.add(f.path);
    const e = local.get(f.path);
    if (
      e?.kind !== "file" ||
      e.st.size !== f.size ||
      (await cache.hash(f.path, join(live, f.path), e.st, signal)) !== f.sha256
    ) {
      plan.download.push(f);
    } else if ((e.st.mode & 0o777) !== f.mode) plan.modeOnly.push(f);
    else plan.keep.push(f);
  }
  for (const d of m.dirs) {
    listed.add(d.path);
    const e = local.get(d.path);
    if (e?.kind !== "dir" || (e.st.mode & 0o777) !== d.mode) plan.otherChanged.push(d.path);
  }
  for (const l of m.links) {
    listed.add(l.path);
    const e = local.get(l.path);
    if (e?.kind !== "link" || e.target !== l.target) plan.otherChanged.push(l.path);
  }
  for (const p of local.keys()) if (!listed.has(p)) plan.removed.push(p);
  return plan;
}

export function changedPaths(p: SyncPlan): string[] {
  return [...p.download.map((f) => f.path), ...p.modeOnly.map((f) => f.path), ...p.otherChanged].sort();
}
