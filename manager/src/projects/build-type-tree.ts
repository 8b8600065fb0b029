import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BoardType } from "@bbb/shared";
import type { Exec } from "./exec.js";
import { checkoutGitCommit, fetchGitRevision } from "./git-source.js";
import { resolveLocalSource, statFingerprint } from "./local-source.js";
import { ProjectErrorCodes } from "../errors.js";
import { checkSource, type SourcePolicy } from "./source-policy.js";
import { MANIFEST_FILE, MANIFEST_VERSION, type Manifest } from "./schemas.js";
import type { StoreLayout } from "./store-layout.js";
import { buildTree, type TreeEntries, type TreeLimits } from "./tree-build.js";
import { CodedError } from "@bbb/shared";

export interface BuildContext {
  layout: StoreLayout;
  exec: Exec;
  limits: TreeLimits;
  gitTimeoutMs: number;
  policy: SourcePolicy;
  signal: AbortSignal;
  now: () => number;
}

export type BuildOutcome =
  | { kind: "unchanged"; fingerprint: string | null }
  | { kind: "built"; id: string; manifest: Manifest; skipped: string[]; fingerprint: string | null };

/** Revision of a local folder: sha256 of its sorted entry lists (content, modes, links). */
function entriesRevision(e: TreeEntries): string {
  return createHash("sha256")
    .update(JSON.stringify({ files: e.files, dirs: e.dirs, links: e.links }))
    .digest("hex");
}

/**
 * Builds a new tree for `type` under `.trees/<type>/<id>` with its manifest written at the top,
 * or reports that the live tree is still current (same commit, or same local folder content,
 * and the same rc.local path and overlay). The live tree is never touched here.
 */
export async function buildTypeTree(
  ctx: BuildContext,
  type: BoardType,
  current: { manifest: Manifest | null; fingerprint: string | null },
): Promise<BuildOutcome> {
  const source = type.source;
  if (!source) throw new CodedError(ProjectErrorCodes.NO_SOURCE, `type ${type.name} has no project source`);
  const { layout, signal } = ctx;
  const cur = current.manifest;
  const sameMeta =
    cur !== null &&
    cur.rcLocalPath === (type.rcLocalPath ?? null) &&
    cur.overlay === (type.overlay ?? null) &&
    cur.source === source.kind;
  const id = `${ctx.now()}-${randomBytes(4).toString("hex")}`;
  const tree = layout.tree(type.name, id);
  await mkdir(layout.treesOf(type.name), { recursive: true });
  let revision: string;
  let entries: TreeEntries;
  let fingerprint: string | null = null;
  try {
    if (source.kind === "git") {
      // Checked again at every build: the policy may have narrowed since the type was saved.
      await checkSource(ctx.policy, source);
      const git = { exec: ctx.exec, timeoutMs: ctx.gitTimeoutMs, signal, url: source.url };
      const cache = layout.gitCache(type.name);
      revision = await fetchGitRevision(git, cache, source.url, source.ref);
      if (sameMeta && cur.revision === revision) return { kind: "unchanged", fingerprint: null };
      await mkdir(tree, { mode: 0o755 });
      await checkoutGitCommit(git, cache, revision, tree, join(layout.workDir, `${type.name}-${id}.index`));
      entries = await buildTree({ from: tree, limits: ctx.limits, signal });
    } else {
      const from = await resolveLocalSource(source.path, layout.projectsDir, ctx.policy);
      fingerprint = await statFingerprint(from, signal);
      if (sameMeta && fingerprint === current.fingerprint) return { kind: "unchanged", fingerprint };
      await mkdir(tree, { mode: 0o755 });
      entries = await buildTree({ from, to: tree, limits: ctx.limits, signal });
      revision = entriesRevision(entries);
      if (sameMeta && cur.revision === revision) {
        await rm(tree, { recursive: true, force: true });
        return { kind: "unchanged", fingerprint };
      }
    }
    const rcLocalPath = type.rcLocalPath ?? null;
    const manifest: Manifest = {
      v: MANIFEST_VERSION,
      type: type.name,
      revision,
      source: source.kind,
      generatedAt: ctx.now(),
      rcLocalPath,
      rcLocalHash: rcLocalPath ? (entries.files.find((f) => f.path === rcLocalPath)?.sha256 ?? null) : null,
      overlay: type.overlay ?? null,
      totalBytes: entries.totalBytes,
      files: entries.files,
      dirs: entries.dirs,
      links: entries.links,
    };
    await writeFile(join(tree, MANIFEST_FILE), JSON.stringify(manifest), { mode: 0o644 });
    await chmod(tree, 0o755);
    return { kind: "built", id, manifest, skipped: entries.skipped, fingerprint };
  } catch (e: unknown) {
    await rm(tree, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}
