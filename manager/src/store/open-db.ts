import { chmodSync, closeSync, openSync } from "node:fs";
import Database from "better-sqlite3";
import type { Logger } from "pino";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

/** An owner-only SQLite file in WAL mode with the given durability. */
export function openSqliteFile(file: string, synchronous: "FULL" | "NORMAL"): Db {
  // Owner only: SQLite gives its -wal and -shm files the mode of the database file.
  closeSync(openSync(file, "a", 0o600));
  chmodSync(file, 0o600);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma("busy_timeout = 5000");
  return db;
}

/**
 * Opens the SQLite file with WAL and synchronous=FULL (a committed registry edit survives a
 * power cut; uncommitted ones are never visible: every write is one transaction), and applies
 * pending migrations.
 */
export function openDb(file: string, log: Logger): Db {
  const db = openSqliteFile(file, "FULL");
  db.pragma("foreign_keys = ON");
  db.exec("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const done = new Set(
    (db.prepare("SELECT version FROM migrations").all() as { version: number }[]).map((r) => r.version),
  );
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO migrations (version, applied_at) VALUES (?, ?)").run(m.version, Date.now());
    })();
    log.info({ version: m.version }, "store migration applied");
  }
  return db;
}
