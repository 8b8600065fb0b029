import type { Db } from "./open-db.js";
import { createWhere } from "./sql-where.js";

/** One mutating call as the audit trail keeps it (docs/protocol.md "Audit trail"). */
export interface AuditRecord {
  id: number;
  ts: number;
  username: string;
  role: string;
  via: string;
  peer: string | null;
  method: string;
  /** The call's parameters with secrets redacted, as JSON (capped). */
  params: string | null;
  /** "ok" or the error code the caller got. */
  result: string;
}

export interface AuditQuery {
  username?: string;
  method?: string;
  since?: number;
  beforeId?: number;
  limit: number;
}

/**
 * The audit trail: written synchronously, one row per call, in the same WAL database as the
 * registry (synchronous=FULL), so a row acknowledged to nobody is still there after a kill -9.
 */
export function createAuditRepo(db: Db) {
  const insert = db.prepare(
    "INSERT INTO audit (ts, username, role, via, peer, method, params, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  return {
    append(r: Omit<AuditRecord, "id">): void {
      insert.run(r.ts, r.username, r.role, r.via, r.peer, r.method, r.params, r.result);
    },
    list(q: AuditQuery): AuditRecord[] {
      const where = createWhere();
      where.add("username = ?", q.username);
      where.add("method = ?", q.method);
      where.add("ts >= ?", q.since);
      where.add("id < ?", q.beforeId);
      const sql = `SELECT * FROM audit ${where.sql()} ORDER BY id DESC LIMIT ?`;
      return db.prepare(sql).all(...where.args, q.limit) as AuditRecord[];
    },
    prune(before: number): number {
      return db.prepare("DELETE FROM audit WHERE ts < ?").run(before).changes;
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
