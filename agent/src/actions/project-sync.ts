/**
 * The project transfer (SFTP, rsync-like with a dry run) is built in agent/src/sync/; the
 * sync-project action and the heartbeat use it only through this interface.
 */
export interface ProjectSyncProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
}

export interface ProjectSyncOutcome {
  revision: string;
  changed: string[];
  removed: string[];
  rcLocalDiff?: string;
  data?: Record<string, unknown>;
}

export interface ProjectSync {
  sync(opts: {
    dryRun: boolean;
    signal: AbortSignal;
    onProgress(p: ProjectSyncProgress): void;
  }): Promise<ProjectSyncOutcome>;
  /** Revision of the project installed on the board, null when none. */
  currentRevision(): string | null;
  /** Hash of the installed rc.local, null when none. */
  rcLocalHash(): string | null;
}
