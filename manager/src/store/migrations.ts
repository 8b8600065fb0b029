/**
 * Schema migrations, applied in order inside one transaction each; `migrations` records which
 * ran. Append only: a released migration is never edited.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE types (name TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE sectors (name TEXT PRIMARY KEY, position INTEGER NOT NULL, data TEXT NOT NULL);
      CREATE TABLE nodes (
        hostname TEXT PRIMARY KEY,
        board_id TEXT UNIQUE,
        data TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        board_id TEXT,
        hostname TEXT,
        by TEXT,
        message TEXT NOT NULL,
        data TEXT
      );
      CREATE INDEX history_ts ON history (ts);
      CREATE INDEX history_board ON history (board_id, id);
      CREATE INDEX history_hostname ON history (hostname, id);
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        action TEXT NOT NULL,
        args TEXT,
        by TEXT NOT NULL,
        via TEXT NOT NULL,
        status TEXT NOT NULL,
        abort_reason TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        total INTEGER NOT NULL,
        counts TEXT NOT NULL,
        options TEXT NOT NULL
      );
      CREATE INDEX runs_created ON runs (created_at);
      CREATE TABLE run_outcomes (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        board_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, board_id)
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts INTEGER NOT NULL,
        username TEXT NOT NULL,
        role TEXT NOT NULL,
        via TEXT NOT NULL,
        peer TEXT,
        method TEXT NOT NULL,
        params TEXT,
        result TEXT NOT NULL
      );
      CREATE INDEX audit_ts ON audit (ts);
      CREATE INDEX audit_user ON audit (username, id);
    `,
  },
  {
    // The last host view of every known board, so that a restart of the all-in-one server (whose
    // broker keeps retained messages in memory only) knows whom to wait for (docs/protocol.md §"Liveness").
    version: 3,
    sql: `
      CREATE TABLE boards (id TEXT PRIMARY KEY, view TEXT NOT NULL, updated_at INTEGER NOT NULL);
    `,
  },
];
