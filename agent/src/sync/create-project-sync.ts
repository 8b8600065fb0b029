import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { CodedError, decodePayload, nameSchema } from "@bbb/shared";
import type { ProjectSync, ProjectSyncOutcome, ProjectSyncProgress } from "../actions/project-sync.js";
import { AgentErrorCodes } from "../errors.js";
import { createFileChanges } from "../system/file-changes.js";
import { createRootedFs } from "../system/rooted-fs.js";
import { createHashCache, scanLocal, type HashCache } from "./local-tree.js";
import { MANIFEST_FILE, manifestProblem, manifestSchema, MAX_MANIFEST_BYTES, type Manifest } from "./manifest.js";
import { changedPaths, planSync } from "./plan.js";
import { openSftpSource, type SftpEndpoint, type SftpSource } from "./sftp-source.js";
import { removeTree, stageTree, swapIn } from "./stage-tree.js";
import { createRcLocal } from "./rc-local.js";
import { createSyncStateFiles, type SyncState } from "./sync-state.js";

export interface ProjectSyncDeps {
  /** "/" on a board; a fake root in tests. targetDir and the rc.local path go through it. */
  rootPrefix: string;
  /** System path of the installed project, e.g. /opt/bbb-project. */
  targetDir: string;
  /** The agent's state folder (a host path, as in the agent config). */
  stateDir: string;
  sftp: SftpEndpoint;
  /** The board's type: the project is `/<type>/` on the server. */
  type: () => string;
  /**
   * rc.local handling: `path` inside the project (default: the manifest's rcLocalPath, i.e. the
   * type's) installed to `installTo` (default /etc/rc.local); false leaves rc.local alone.
   */
  rcLocal?: { path?: string; installTo?: string } | false;
  log: Logger;
  /** Files downloaded at once over the one SFTP session. */
  concurrency?: number;
  progressIntervalMs?: number;
  clock?: () => number;
}

function syncError(message: string, reason: string): CodedError {
  return new CodedError(AgentErrorCodes.SYNC_FAILED, message, { reason });
}

/**
 * The project sync of the agent (docs/protocol.md §"Project store and SFTP"):
 * the manifest over SFTP, only changed files downloaded and verified into a staged copy of the
 * tree, an atomic swap, rc.local installed, the revision remembered. A dry run only reports.
 */
export function createProjectSync(deps: ProjectSyncDeps): ProjectSync {
  const log = deps.log.child({ module: "project-sync" });
  const fs = createRootedFs(deps.rootPrefix);
  const live = fs.resolve(deps.targetDir);
  const staging = `${live}.sync-staging`;
  const files = createSyncStateFiles(deps.stateDir);
  const now = deps.clock ?? Date.now;
  // The heartbeat asks for the installed rc.local's hash every few seconds: a watch of /etc
  // answers it without a stat (BENCHMARKS.md §"Agent footprint").
  const rcLocal = createRcLocal({
    config: deps.rcLocal,
    resolve: (p) => fs.resolve(p),
    live,
    watch: (p) => createFileChanges(fs, p),
  });
  let state: SyncState | null | undefined;
  let cache: HashCache | null = null;
  let running = false;

  const currentState = () => (state === undefined ? (state = files.loadState()) : state);
  const hashCache = () => (cache ??= createHashCache(files.loadHashes()));

  async function fetchManifest(source: SftpSource, typeName: string, signal: AbortSignal): Promise<Manifest> {
    const raw = await source.readFile(`/${typeName}/${MANIFEST_FILE}`, MAX_MANIFEST_BYTES, signal);
    const d = decodePayload(manifestSchema, raw, MAX_MANIFEST_BYTES);
    if (!d.ok) throw syncError(`bad manifest: ${d.message}`, "manifest");
    if (d.value.type !== typeName) throw syncError(`manifest is for type ${d.value.type}, not ${typeName}`, "manifest");
    const problem = manifestProblem(d.value);
    if (problem) throw syncError(`bad manifest: ${problem}`, "manifest");
    return d.value;
  }

  async function run(opts: {
    dryRun: boolean;
    signal: AbortSignal;
    onProgress(p: ProjectSyncProgress): void;
  }): Promise<ProjectSyncOutcome> {
    const { dryRun, signal } = opts;
    const typeName = deps.type();
    if (!nameSchema.safeParse(typeName).success)
      throw syncError(`board type '${typeName}' is not a project name`, "no-type");
    const source = await openSftpSource(deps.sftp, log);
    try {
      const m = await fetchManifest(source, typeName, signal);
      const plan = await planSync(m, await scanLocal(live, signal), live, hashCache(), signal);
      const changed = changedPaths(plan);
      const rc = rcLocal.entry(m);
      const rcInstalled = rcLocal.installedHash(true);
      const rcChange = rcLocal.needsInstall(rc);
      const rcLocalDiff = rcChange
        ? await rcLocal.diff(rc, !plan.download.includes(rc), source, `/${typeName}/${rc.path}`, signal)
        : undefined;
      const totalFiles = plan.download.length;
      const totalBytes = plan.download.reduce((n, f) => n + f.size, 0);
      if (dryRun) {
        return {
          revision: m.revision,
          changed,
          removed: plan.removed,
          rcLocalDiff,
          data: { filesToTransfer: totalFiles, bytesToTransfer: totalBytes },
        };
      }

      const progress: ProjectSyncProgress = { files: 0, totalFiles, bytes: 0, totalBytes };
      let lastReport = 0;
      const report = (force = false) => {
        const t = now();
        if (!force && t - lastReport < (deps.progressIntervalMs ?? 250)) return;
        lastReport = t;
        opts.onProgress({ ...progress });
      };
      report(true);
      const liveExists = await stat(live).then(
        () => true,
        () => false,
      );
      if (changed.length > 0 || plan.removed.length > 0 || !liveExists) {
        try {
          await stageTree({
            live,
            staging,
            manifest: m,
            plan,
            source,
            remoteDir: `/${typeName}`,
            signal,
            concurrency: deps.concurrency ?? 4,
            onFileDone: () => {
              progress.files++;
              report();
            },
            onBytes: (n) => {
              progress.bytes += n;
              report();
            },
          });
          signal.throwIfAborted();
          await swapIn(live, staging);
        } catch (e: unknown) {
          await removeTree(staging).catch(() => undefined);
          if (signal.aborted && !(e instanceof CodedError))
            throw new CodedError(AgentErrorCodes.INTERRUPTED, "sync aborted");
          throw e;
        }
      }
      report(true);

      // Downloaded files have new inodes: remember their hashes so the next plan needs no re-read.
      const c = hashCache();
      for (const f of plan.download) c.remember(f.path, await stat(join(live, f.path)), f.sha256);
      c.retain(new Set(m.files.map((f) => f.path)));
      await files.saveHashes(c.toJSON());

      if (rcChange) {
        const path = await rcLocal.install(rc);
        log.info({ path, sha256: rc.sha256 }, "rc.local installed");
      }
      const next: SyncState = {
        type: typeName,
        revision: m.revision,
        overlay: m.overlay,
        rcLocalHash: rc?.sha256 ?? rcInstalled,
        syncedAt: now(),
      };
      await files.saveState(next);
      state = next;
      log.info(
        { revision: m.revision, files: progress.files, bytes: progress.bytes, removed: plan.removed.length },
        "project synced",
      );
      return {
        revision: m.revision,
        changed,
        removed: plan.removed,
        rcLocalDiff,
        data: {
          filesTransferred: progress.files,
          bytesTransferred: progress.bytes,
          overlay: m.overlay,
          rcLocalInstalled: rcChange,
        },
      };
    } finally {
      await source.close();
    }
  }

  return {
    async sync(opts) {
      if (running) throw syncError("a project sync is already running", "busy");
      running = true;
      try {
        return await run(opts);
      } finally {
        running = false;
      }
    },
    currentRevision: () => currentState()?.revision ?? null,
    rcLocalHash: () => rcLocal.installedHash(),
  };
}
