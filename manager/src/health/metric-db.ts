export const HEALTH_DB_FILE = "health.sqlite";

/**
 * The health series live in their own SQLite file beside the registry's (docs/protocol.md
 * §"Health history"): written every few seconds in batches by the health writer thread (its
 * own connection), read by the main thread's read-only connection, synchronous=NORMAL (WAL keeps every
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

import Database from "better-sqlite3";
import { openSqliteFile, type Db } from "../store/open-db.js";

export interface HealthDb {
  db: Db;
  boardIndex(id: string): number;
  knownIndex(id: string): number | undefined;
  /** After a rolled-back write: the id → index map again as committed. */
  forgetUncommitted(): void;
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
  const load = () => {
    index.clear();
    for (const r of db.prepare("SELECT b, id FROM boards").all() as { b: number; id: string }[]) index.set(r.id, r.b);
  };
  load();
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
    forgetUncommitted: load,
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
    fileBytes: () => fileBytes(db),
    close: () => db.close(),
  };
}

const fileBytes = (db: Db): number =>
  Number(db.pragma("page_count", { simple: true })) * Number(db.pragma("page_size", { simple: true }));

/** What the main thread reads: one board's points, through a read-only connection. */
export interface HealthReader {
  boardIndex(id: string): number | undefined;
  /** Stored points of board `b` in [fromMin, toMin): [t, ...the columns asked], ordered by t. */
  rows(tier: Tier, b: number, columns: readonly string[], fromMin: number, toMin: number): (number | null)[][];
  fileBytes(): number;
  close(): void;
}

/**
 * A read-only connection beside the writer thread's: in WAL mode a reader never waits for the
 * writer and sees every transaction committed before its read began.
 */
export function openHealthReader(file: string): HealthReader {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  const byId = db.prepare("SELECT b FROM boards WHERE id = ?").pluck();
  return {
    boardIndex: (id) => byId.get(id) as number | undefined,
    rows: (tier, b, columns, fromMin, toMin) =>
      db
        .prepare(`SELECT t, ${columns.join(", ")} FROM ${tier} WHERE b = ? AND t >= ? AND t < ? ORDER BY t`)
        .raw()
        .all(b, fromMin, toMin) as (number | null)[][],
    fileBytes: () => fileBytes(db),
    close: () => db.close(),
  };
}
