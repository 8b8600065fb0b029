import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { Logger } from "pino";
import { createAuditRepo } from "./audit-repo.js";
import { createBoardsRepo } from "./boards-repo.js";
import { createHistoryRepo, type HistoryInput } from "./history-repo.js";
import { openDb } from "./open-db.js";
import { createRegistryRepo } from "./registry-repo.js";
import { createRunsRepo } from "./runs-repo.js";

export const DB_FILE = "bbb.sqlite";

/** History records kept in memory while the disk refuses writes (then the oldest go). */
const MAX_PENDING = 100_000;
const RETRY_MS = 1000;

/** Whether the last write reached the disk (RELIABILITY.md §"Disk full in the data dir (24 MB tmpfs)": reported, not hidden). */
export interface StoreHealth {
  ok: boolean;
  error: string | null;
  since: number | null;
  /** History records waiting to be written. */
  pending: number;
}

/** Errors of the disk rather than of the statement: the store is unwritable until one succeeds. */
function isDiskError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/.test(code);
}

export interface StoreDeps {
  dataDir: string;
  log: Logger;
  /** Flush period of queued history records (state changes, results): one transaction each. */
  flushMs?: number;
}

/**
 * The SQLite store. Registry edits are written at once (each with its audit record); the
 * registry's frequent records (state changes, results) are queued and written in one
 * transaction per flush, so the heartbeat path never touches the disk.
 */
export function createStore(deps: StoreDeps) {
  const log = deps.log.child({ module: "store" });
  mkdirSync(deps.dataDir, { recursive: true });
  const db: Database.Database = openDb(join(deps.dataDir, DB_FILE), log);
  const history = createHistoryRepo(db);
  const registry = createRegistryRepo(db, history);
  const runs = createRunsRepo(db, history);
  const audit = createAuditRepo(db);
  const boards = createBoardsRepo(db);
  let queue: HistoryInput[] = [];
  // Last known host views by board id, written with the next history batch (the newest wins).
  let boardQueue = new Map<string, { view: string | null; ts: number }>();
  let timer: NodeJS.Timeout | null = null;
  let health: StoreHealth = { ok: true, error: null, since: null, pending: 0 };
  let dropped = 0;

  const failed = (err: unknown) => {
    if (health.ok) log.error({ err }, "data dir not writable (disk full?): edits fail, history is kept in memory");
    health = {
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      since: health.since ?? Date.now(),
      pending: 0,
    };
  };
  const succeeded = () => {
    if (!health.ok) log.warn({ downSince: health.since, dropped }, "data dir writable again");
    health = { ok: true, error: null, since: null, pending: 0 };
    dropped = 0;
  };

  const flush = () => {
    if (queue.length === 0 && boardQueue.size === 0) return;
    const batch = queue;
    const views = boardQueue;
    queue = [];
    boardQueue = new Map();
    try {
      db.transaction(() => {
        history.append(batch);
        boards.apply(views);
      })();
      succeeded();
    } catch (err: unknown) {
      if (!isDiskError(err)) {
        log.error({ err, records: batch.length }, "history batch not written");
        return;
      }
      // Kept and retried: a full disk must not lose what happened meanwhile (bounded).
      failed(err);
      queue = batch.concat(queue);
      for (const [id, v] of views) if (!boardQueue.has(id)) boardQueue.set(id, v);
      if (queue.length > MAX_PENDING) {
        dropped += queue.length - MAX_PENDING;
        queue = queue.slice(-MAX_PENDING);
      }
      if (timer === null) {
        timer = setTimeout(() => {
          timer = null;
          flush();
        }, RETRY_MS);
        timer.unref();
      }
    }
  };

  const later = () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      flush();
    }, deps.flushMs ?? 200);
    timer.unref();
  };

  return {
    /** Runs `fn` in one transaction (nested calls become savepoints). */
    transaction<T>(fn: () => T): T {
      try {
        const r = db.transaction(fn)();
        succeeded();
        return r;
      } catch (e: unknown) {
        if (isDiskError(e)) failed(e);
        throw e;
      }
    },
    health: (): StoreHealth => ({ ...health, pending: queue.length }),
    history,
    registry,
    runs,
    audit,
    /** Queues a history record for the next flush. */
    record(e: HistoryInput): void {
      queue.push(e);
      if (queue.length >= 5000) flush();
      else later();
    },
    /** Queues a board's last known host view (null: the board was forgotten) for the next flush. */
    noteBoard(id: string, view: string | null, ts: number): void {
      boardQueue.set(id, { view, ts });
      if (boardQueue.size >= 5000) flush();
      else later();
    },
    /** The last known host views (start-up). */
    knownBoards: () => boards.list(),
    flush,
    /** Queued records first, so none is left under the old id. */
    rekeyBoard(from: string, to: string): number {
      flush();
      return history.rekey(from, to);
    },
    /**
     * Online copy of the database into `file` (SQLite backup API) through this same connection, so
     * writes made meanwhile are carried over instead of restarting the copy; `pagesPerStep` pages
     * per event-loop turn keep the heartbeat path responsive ("backup ... consistent while running").
     */
    async backup(file: string, pagesPerStep = 256): Promise<void> {
      flush();
      await db.backup(file, { progress: () => pagesPerStep });
    },
    close(): void {
      if (timer) clearTimeout(timer);
      timer = null;
      flush();
      db.close();
    },
  };
}
export type Store = ReturnType<typeof createStore>;
