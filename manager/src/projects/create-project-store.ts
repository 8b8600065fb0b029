import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { BoardType } from "@bbb/shared";
import { createExec, type Exec } from "./exec.js";
import { checkoutGitCommit, fetchGitRevision, redactUrl } from "./git-source.js";
import { resolveLocalSource, statFingerprint } from "./local-source.js";
import { ProjectError, ProjectErrorCodes, toProjectError } from "./project-errors.js";
import { MANIFEST_FILE, MANIFEST_VERSION, type Manifest, type ProjectInfo } from "./schemas.js";
import {
  createStoreLayout,
  ensureLayout,
  liveTreeId,
  pruneTrees,
  readLiveManifest,
  removeType,
  swapLive,
} from "./store-layout.js";
import { buildTree, DEFAULT_TREE_LIMITS, type TreeEntries, type TreeLimits } from "./tree-build.js";

export interface ProjectStoreDeps {
  dataDir: string;
  log: Logger;
  exec?: Exec;
  clock?: { now(): number };
  limits?: Partial<TreeLimits>;
  /** Per git command (clone, fetch, checkout). */
  gitTimeoutMs?: number;
  /** When set, local sources must lie under one of these folders. */
  localRoots?: readonly string[];
}

export type RevisionListener = (typeName: string, info: ProjectInfo) => void;

export interface ProjectStore {
  /** `<dataDir>/projects`: the SFTP server's root. */
  readonly projectsDir: string;
  refresh(type: BoardType): Promise<ProjectInfo>;
  info(typeName: string): ProjectInfo | null;
  manifest(typeName: string): Manifest | null;
  remove(typeName: string): Promise<void>;
  /** Called when a type's revision (or rc.local hash) changes; returns the unsubscribe function. */
  onRevision(listener: RevisionListener): () => void;
  start(opts: { types: () => BoardType[]; intervalMs: number }): void;
  stop(): Promise<void>;
}

interface TypeState {
  manifest: Manifest | null;
  info: ProjectInfo;
  /** Metadata fingerprint of the local source the live tree was built from. */
  fingerprint: string | null;
  running: Promise<ProjectInfo> | null;
}

function manifestRevision(e: TreeEntries): string {
  return createHash("sha256")
    .update(JSON.stringify({ files: e.files, dirs: e.dirs, links: e.links }))
    .digest("hex");
}

function infoOf(type: string, m: Manifest | null, prev?: ProjectInfo): ProjectInfo {
  return {
    type,
    source: m?.source ?? prev?.source ?? null,
    revision: m?.revision ?? null,
    rcLocalHash: m?.rcLocalHash ?? null,
    overlay: m?.overlay ?? null,
    files: m?.files.length ?? 0,
    totalBytes: m?.totalBytes ?? 0,
    builtAt: m?.generatedAt ?? null,
    checkedAt: prev?.checkedAt ?? null,
    error: prev?.error ?? null,
    skipped: prev?.skipped ?? [],
  };
}

/**
 * The project store: materialises each type's project (git ref or local folder) as a tree under
 * `<dataDir>/projects/<type>` with a manifest at its top, swapping trees atomically so SFTP
 * readers never see a half-built project (issue "Types, nodes and sectors; projects served over SFTP").
 */
export function createProjectStore(deps: ProjectStoreDeps): ProjectStore {
  const log = deps.log.child({ module: "project-store" });
  const exec = deps.exec ?? createExec();
  const now = () => (deps.clock ?? Date).now();
  const limits: TreeLimits = { ...DEFAULT_TREE_LIMITS, ...deps.limits };
  const layout = createStoreLayout(deps.dataDir);
  const states = new Map<string, TypeState>();
  const listeners = new Set<RevisionListener>();
  let timer: NodeJS.Timeout | null = null;
  let stopping = new AbortController();
  let sweep: Promise<void> | null = null;

  function state(typeName: string): TypeState {
    let s = states.get(typeName);
    if (!s) {
      const m = readLiveManifest(layout, typeName);
      s = { manifest: m, info: infoOf(typeName, m), fingerprint: null, running: null };
      states.set(typeName, s);
    }
    return s;
  }

  async function build(type: BoardType, s: TypeState): Promise<ProjectInfo> {
    const source = type.source;
    if (!source) throw new ProjectError(ProjectErrorCodes.NO_SOURCE, `type ${type.name} has no project source`);
    await ensureLayout(layout);
    const signal = stopping.signal;
    const unchangedMeta = (m: Manifest | null) =>
      m !== null &&
      m.rcLocalPath === (type.rcLocalPath ?? null) &&
      m.overlay === (type.overlay ?? null) &&
      m.source === source.kind;

    const id = `${now()}-${randomBytes(4).toString("hex")}`;
    const tree = layout.tree(type.name, id);
    let revision: string;
    let entries: TreeEntries;
    let fingerprint: string | null = null;
    await mkdir(layout.treesOf(type.name), { recursive: true });
    try {
      if (source.kind === "git") {
        const gitDeps = { exec, timeoutMs: deps.gitTimeoutMs ?? 120_000, signal };
        revision = await fetchGitRevision(gitDeps, layout.gitCache(type.name), source.url, source.ref);
        if (s.manifest?.revision === revision && unchangedMeta(s.manifest)) return s.info;
        await mkdir(tree, { mode: 0o755 });
        await checkoutGitCommit(
          gitDeps,
          layout.gitCache(type.name),
          revision,
          tree,
          join(layout.workDir, `${type.name}-${id}.index`),
        );
        entries = await buildTree({ from: tree, limits, signal });
      } else {
        const from = await resolveLocalSource(source.path, layout.projectsDir, deps.localRoots);
        fingerprint = await statFingerprint(from, signal);
        if (fingerprint === s.fingerprint && unchangedMeta(s.manifest)) return s.info;
        await mkdir(tree, { mode: 0o755 });
        entries = await buildTree({ from, to: tree, limits, signal });
        revision = manifestRevision(entries);
        if (s.manifest?.revision === revision && unchangedMeta(s.manifest)) {
          await rm(tree, { recursive: true, force: true });
          s.fingerprint = fingerprint;
          return s.info;
        }
      }
      const rcLocalPath = type.rcLocalPath ?? null;
      const rcLocalHash = rcLocalPath ? (entries.files.find((f) => f.path === rcLocalPath)?.sha256 ?? null) : null;
      if (rcLocalPath && !rcLocalHash)
        log.warn({ type: type.name, rcLocalPath }, "rc.local path is not a file of the project");
      const manifest: Manifest = {
        v: MANIFEST_VERSION,
        type: type.name,
        revision,
        source: source.kind,
        generatedAt: now(),
        rcLocalPath,
        rcLocalHash,
        overlay: type.overlay ?? null,
        totalBytes: entries.totalBytes,
        files: entries.files,
        dirs: entries.dirs,
        links: entries.links,
      };
      await writeFile(join(tree, MANIFEST_FILE), JSON.stringify(manifest), { mode: 0o644 });
      await chmod(tree, 0o755);
      const previous = await liveTreeId(layout, type.name);
      await swapLive(layout, type.name, id);
      // Keep the previous tree: an agent that fetched the old manifest may be mid-download.
      await pruneTrees(layout, type.name, new Set(previous ? [id, previous] : [id]));
      const changed = s.manifest?.revision !== revision || s.manifest?.rcLocalHash !== rcLocalHash;
      s.manifest = manifest;
      s.fingerprint = fingerprint;
      s.info = { ...infoOf(type.name, manifest, s.info), error: null, skipped: entries.skipped };
      log.info(
        { type: type.name, revision, files: manifest.files.length, bytes: manifest.totalBytes },
        "project tree built",
      );
      if (entries.skipped.length)
        log.warn({ type: type.name, skipped: entries.skipped.slice(0, 10) }, "project entries left out");
      if (changed) for (const l of [...listeners]) safeCall(l, type.name, s.info);
      return s.info;
    } catch (e: unknown) {
      await rm(tree, { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
  }

  function safeCall(l: RevisionListener, name: string, info: ProjectInfo) {
    try {
      l(name, info);
    } catch (err: unknown) {
      log.error({ err, type: name }, "revision listener failed");
    }
  }

  function refresh(type: BoardType): Promise<ProjectInfo> {
    const s = state(type.name);
    // One build per type at a time: a second caller waits for the running one, then builds again.
    const prior = s.running ?? Promise.resolve(s.info);
    const run = prior
      .catch(() => undefined)
      .then(() => build(type, s))
      .then(
        (info) => {
          s.info = { ...info, checkedAt: now() };
          return s.info;
        },
        (e: unknown) => {
          const err = toProjectError(e, ProjectErrorCodes.STORE_FAILED);
          s.info = {
            ...s.info,
            source: type.source?.kind ?? null,
            checkedAt: now(),
            error: { code: err.code, message: redactUrl(err.message).slice(0, 2000) },
          };
          throw err;
        },
      )
      .finally(() => {
        if (s.running === run) s.running = null;
      });
    s.running = run;
    return run;
  }

  async function sweepAll(types: () => BoardType[]): Promise<void> {
    for (const t of types()) {
      if (stopping.signal.aborted) return;
      if (!t.source || state(t.name).running) continue;
      try {
        await refresh(t);
      } catch (err: unknown) {
        log.warn({ err, type: t.name }, "project refresh failed; the previous tree stays live");
      }
    }
  }

  return {
    projectsDir: layout.projectsDir,
    refresh,
    info: (typeName) => {
      const s = state(typeName);
      return s.manifest || s.info.checkedAt !== null ? s.info : null;
    },
    manifest: (typeName) => state(typeName).manifest,
    async remove(typeName) {
      const s = states.get(typeName);
      await s?.running?.catch(() => undefined);
      states.delete(typeName);
      await removeType(layout, typeName);
    },
    onRevision(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start({ types, intervalMs }) {
      if (timer) return;
      stopping = new AbortController();
      const tick = () => {
        if (!sweep) sweep = sweepAll(types).finally(() => (sweep = null));
      };
      setImmediate(tick);
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      stopping.abort();
      await sweep;
      const running = [...states.values()].flatMap((s) => (s.running ? [s.running.catch(() => undefined)] : []));
      await Promise.all(running);
    },
  };
}
