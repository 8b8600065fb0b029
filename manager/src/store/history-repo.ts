import { createWhere } from "./sql-where.js";
import type { HistoryEntry, HistoryKind, HistoryQuery } from "@bbb/shared";
import type { Db } from "./open-db.js";

/** A history record before it is stored (id assigned by SQLite). */
export type HistoryInput = Omit<HistoryEntry, "id">;

interface Row {
  id: number;
  ts: number;
  kind: string;
  board_id: string | null;
  hostname: string | null;
  by: string | null;
  message: string;
  data: string | null;
}

function toEntry(r: Row): HistoryEntry {
  return {
    id: r.id,
    ts: r.ts,
    kind: r.kind as HistoryKind,
    boardId: r.board_id,
    hostname: r.hostname,
    by: r.by,
    message: r.message,
    data: r.data === null ? null : (JSON.parse(r.data) as unknown),
  };
}

export function createHistoryRepo(db: Db) {
  const insert = db.prepare(
    "INSERT INTO history (ts, kind, board_id, hostname, by, message, data) VALUES (@ts, @kind, @boardId, @hostname, @by, @message, @data)",
  );
  const prune = db.prepare("DELETE FROM history WHERE ts < ?");
  const rekey = db.prepare("UPDATE history SET board_id = ? WHERE board_id = ?");
  return {
    /** Appends inside the caller's transaction (or its own statement). */
    appendOne(e: HistoryInput): void {
      insert.run({ ...e, data: e.data === undefined || e.data === null ? null : JSON.stringify(e.data) });
    },
    /** Appends many in one transaction: a batch is all there or not at all after a crash. */
    append(entries: readonly HistoryInput[]): void {
      if (entries.length === 0) return;
      db.transaction(() => {
        for (const e of entries) this.appendOne(e);
      })();
    },
    query(q: HistoryQuery): HistoryEntry[] {
      const where = createWhere();
      where.add("board_id = ?", q.boardId);
      where.add("hostname = ?", q.hostname);
      where.add("by = ?", q.by);
      where.add("ts >= ?", q.since);
      where.add("ts <= ?", q.until);
      where.add("id < ?", q.before);
      if (q.kind !== undefined && q.kind.length > 0) where.push(`kind IN (${q.kind.map(() => "?").join(",")})`, ...q.kind);
      const sql = `SELECT * FROM history ${where.sql()} ORDER BY id DESC LIMIT ?`;
      return (db.prepare(sql).all(...where.args, q.limit) as Row[]).map(toEntry);
    },
    /** A board now known under another id (a legacy board moved or merged): its entries follow it. */
    rekey(from: string, to: string): number {
      return rekey.run(to, from).changes;
    },
    /** Unexpected reboots recorded per board: how many, the last, and those since `recentSince`. */
    rebootCounts(recentSince: number): Map<string, { total: number; recent: number[]; lastAt: number | null }> {
      const out = new Map<string, { total: number; recent: number[]; lastAt: number | null }>();
      const rows = db
        .prepare("SELECT board_id AS id, ts FROM history WHERE kind = 'reboot' AND board_id IS NOT NULL ORDER BY ts")
        .all() as { id: string; ts: number }[];
      for (const r of rows) {
        const c = out.get(r.id) ?? { total: 0, recent: [], lastAt: null };
        c.total++;
        c.lastAt = Math.max(c.lastAt ?? 0, r.ts);
        if (r.ts >= recentSince) c.recent.push(r.ts);
        out.set(r.id, c);
      }
      return out;
    },
    /** Deletes entries older than `before` (retention); returns how many. */
    prune(before: number): number {
      return prune.run(before).changes;
    },
  };
}
export type HistoryRepo = ReturnType<typeof createHistoryRepo>;
