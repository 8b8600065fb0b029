import { rm } from "node:fs/promises";
import type { Logger } from "pino";
import type { BoardType } from "@bbb/shared";
import { buildTypeTree } from "./build-type-tree.js";
import { createExec, type Exec } from "./exec.js";
import { redactUrl } from "../registry/type-secrets.js";
import { ProjectErrorCodes, ProjectErrors, type ProjectErrorCode } from "../errors.js";
import type { Manifest, ProjectInfo } from "./schemas.js";
import {
  createStoreLayout,
  ensureLayout,
  liveTreeId,
  pruneTrees,
  readLiveManifest,
  removeType,
  swapLive,
} from "./store-layout.js";
import { DEFAULT_TREE_LIMITS, type TreeLimits } from "./tree-build.js";
import { CodedError, isCodedError } from "@bbb/shared";

export interface ProjectStoreDeps {
  dataDir: string;
  log: Logger;
  exec?: Exec;
  clock?: { now(): number };
  limits?: Partial<TreeLimits>;
  /** Per git command (clone, fetch, checkout). */
  gitTimeoutMs?: number;
  /** Folders local sources must lie under (BBB_PROJECT_ROOTS); none: local sources are refused. */
  projectRoots?: readonly string[];
  /** Hosts remote git sources may name (BBB_GIT_HOSTS); none: remote git is refused. */
  gitHosts?: readonly string[];
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

/** A store failure as the project info reports it: a project code kept, anything else `fallback`. */
function asProjectError(e: unknown, fallback: ProjectErrorCode): CodedError {
  if (isCodedError(e, ProjectErrors)) return e;
  return new CodedError(fallback, e instanceof Error ? e.message : String(e), undefined, { cause: e });
}

/**
 * The project store: materialises each type's project (git ref or local folder) as a tree under
 * `<dataDir>/projects/<type>` with a manifest at its top, swapping trees atomically so SFTP
 * readers never see a half-built project (docs/protocol.md §"Project store and SFTP").
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
    await ensureLayout(layout);
    const ctx = {
      layout,
      exec,
      limits,
      gitTimeoutMs: deps.gitTimeoutMs ?? 120_000,
      policy: { projectRoots: deps.projectRoots ?? [], gitHosts: deps.gitHosts ?? [], dataDir: deps.dataDir },
      signal: stopping.signal,
      now,
    };
    const out = await buildTypeTree(ctx, type, { manifest: s.manifest, fingerprint: s.fingerprint });
    s.fingerprint = out.fingerprint;
    if (out.kind === "unchanged") return s.info;
    const { id, manifest } = out;
    try {
      const previous = await liveTreeId(layout, type.name);
      await swapLive(layout, type.name, id);
      // Keep the previous tree: an agent that fetched the old manifest may be mid-download.
      await pruneTrees(layout, type.name, new Set(previous ? [id, previous] : [id]));
    } catch (e: unknown) {
      await rm(layout.tree(type.name, id), { recursive: true, force: true }).catch(() => undefined);
      throw e;
    }
    const changed = s.manifest?.revision !== manifest.revision || s.manifest?.rcLocalHash !== manifest.rcLocalHash;
    s.manifest = manifest;
    s.info = { ...infoOf(type.name, manifest, s.info), skipped: out.skipped };
    log.info(
      { type: type.name, revision: manifest.revision, files: manifest.files.length, bytes: manifest.totalBytes },
      "project tree built",
    );
    if (manifest.rcLocalPath && !manifest.rcLocalHash) {
      log.warn({ type: type.name, rcLocalPath: manifest.rcLocalPath }, "rc.local path is not a file of the project");
    }
    if (out.skipped.length)
      log.warn({ type: type.name, skipped: out.skipped.slice(0, 10) }, "project entries left out");
    if (changed) for (const l of [...listeners]) safeCall(l, type.name, s.info);
    return s.info;
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
          s.info = { ...info, checkedAt: now(), error: null };
          return s.info;
        },
        (e: unknown) => {
          const err = asProjectError(e, ProjectErrorCodes.STORE_FAILED);
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
