import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { Logger } from "pino";
import { createHistoryRepo, type HistoryInput } from "./history-repo.js";
import { openDb } from "./open-db.js";
import { createRegistryRepo } from "./registry-repo.js";
import { createRunsRepo } from "./runs-repo.js";

export const DB_FILE = "bbb.sqlite";

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
  let queue: HistoryInput[] = [];
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    try {
      history.append(batch);
    } catch (err: unknown) {
      log.error({ err, records: batch.length }, "history batch not written");
    }
  };

  return {
    /** Runs `fn` in one transaction (nested calls become savepoints). */
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    history,
    registry,
    runs,
    /** Queues a history record for the next flush. */
    record(e: HistoryInput): void {
      queue.push(e);
      if (queue.length >= 5000) flush();
      else if (timer === null) {
        timer = setTimeout(() => {
          timer = null;
          flush();
        }, deps.flushMs ?? 200);
        timer.unref();
      }
    },
    flush,
    /**
     * Online copy of the database into `file` (SQLite backup API) through this same connection, so
     * writes made meanwhile are carried over instead of restarting the copy; `pagesPerStep` pages
     * per event-loop turn keep the heartbeat path responsive (issue 8 "backup ... consistent while running").
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
