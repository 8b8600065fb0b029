export const HEALTH_DB_FILE = "health.sqlite";

/**
 * The health series live in their own SQLite file beside the registry's (docs/protocol.md
 * §"Health history"): written every few seconds in batches, synchronous=NORMAL (WAL keeps every
 * committed batch across kill -9; a power cut may lose the last seconds of points, never the
 * registry), and a backup of the registry does not carry gigabytes of plots.
 *
 * Points are integers (SQLite stores small ones in 1-4 bytes): load ×100, temperature, memory
 * and disk ×10, uptime in s, clock offset in ms; `t` in minutes since the epoch; `b` the board's
 * index in `boards`. `m1` holds one-minute means, `m15` fifteen-minute means of those. The
 * primary key (b, t) is the only index: a second one on `t` would double the cost of every
 * write; retention deletes board by board along the key instead.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS boards (b INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
  CREATE TABLE IF NOT EXISTS m1 (
    b INTEGER NOT NULL, t INTEGER NOT NULL,
    load INTEGER, temp INTEGER, mem INTEGER, disk INTEGER, up INTEGER, off INTEGER,
    PRIMARY KEY (b, t)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS m15 (
    b INTEGER NOT NULL, t INTEGER NOT NULL,
    load INTEGER, temp INTEGER, mem INTEGER, disk INTEGER, up INTEGER, off INTEGER,
    PRIMARY KEY (b, t)
  ) WITHOUT ROWID;
`;

export type Tier = "m1" | "m15";
/** One stored point: board index, minute, then the six scaled values (null: nothing received). */
export type PointRow = [number, number, ...(number | null)[]];

import { openSqliteFile, type Db } from "../store/open-db.js";

export interface HealthDb {
  db: Db;
  boardIndex(id: string): number;
  knownIndex(id: string): number | undefined;
  /** Every board index (retention runs board by board along the primary key). */
  indexes(): number[];
  write(tier: Tier, rows: readonly PointRow[]): void;
  /** The oldest point of a tier: one primary-key lookup per board (there is no index on `t`). */
  oldestMinute(tier: Tier): number | null;
  usedBytes(): number;
  fileBytes(): number;
  close(): void;
}

export function openHealthDb(file: string): HealthDb {
  return wrap(open(file));
}

function open(file: string): Db {
  const db = openSqliteFile(file, "NORMAL");
  db.exec(SCHEMA);
  return db;
}

function wrap(db: Db): HealthDb {
  const index = new Map<string, number>();
  for (const r of db.prepare("SELECT b, id FROM boards").all() as { b: number; id: string }[]) index.set(r.id, r.b);
  const addBoard = db.prepare("INSERT INTO boards (id) VALUES (?)");
  const insert = {
    m1: db.prepare("INSERT OR REPLACE INTO m1 VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    m15: db.prepare("INSERT OR REPLACE INTO m15 VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
  };
  const writeBatch = db.transaction((tier: Tier, rows: readonly PointRow[]) => {
    const st = insert[tier];
    for (const r of rows) st.run(r);
  });
  const oldest = {
    m1: db.prepare("SELECT min(t) AS t FROM m1 WHERE b = ?"),
    m15: db.prepare("SELECT min(t) AS t FROM m15 WHERE b = ?"),
  };

  return {
    db,
    /** The board's index, created on first use (the one id → number map lives in memory). */
    boardIndex(id: string): number {
      let b = index.get(id);
      if (b === undefined) {
        b = Number(addBoard.run(id).lastInsertRowid);
        index.set(id, b);
      }
      return b;
    },
    knownIndex: (id: string): number | undefined => index.get(id),
    indexes: () => [...index.values()],
    write: (tier: Tier, rows: readonly PointRow[]) => writeBatch(tier, rows),
    oldestMinute(tier: Tier): number | null {
      let min: number | null = null;
      for (const b of index.values()) {
        const t = (oldest[tier].get(b) as { t: number | null }).t;
        if (t !== null && (min === null || t < min)) min = t;
      }
      return min;
    },
    /** Bytes in use (pages not on the free list): what the size bound compares. */
    usedBytes(): number {
      const pages = Number(db.pragma("page_count", { simple: true }));
      const free = Number(db.pragma("freelist_count", { simple: true }));
      return (pages - free) * Number(db.pragma("page_size", { simple: true }));
    },
    fileBytes: (): number =>
      Number(db.pragma("page_count", { simple: true })) * Number(db.pragma("page_size", { simple: true })),
    close: () => db.close(),
  };
}
