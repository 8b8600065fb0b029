import type Database from "better-sqlite3";
import { decodePayload, hostViewSchema, type HostView } from "@bbb/shared";

const MAX_VIEW_BYTES = 64 * 1024;

/**
 * The last known host view of every board (table `boards`): written with the history's batches
 * when a board's state changes, read once at start so that boards not yet reconnected after a
 * restart are waited for instead of forgotten (docs/protocol.md §"Liveness").
 */
export function createBoardsRepo(db: Database.Database) {
  const upsert = db.prepare(
    "INSERT INTO boards (id, view, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET view = excluded.view, updated_at = excluded.updated_at",
  );
  const del = db.prepare("DELETE FROM boards WHERE id = ?");
  return {
    /** Applies queued changes: a view to keep, or null for a board that was forgotten. */
    apply(changes: ReadonlyMap<string, { view: string | null; ts: number }>): void {
      for (const [id, c] of changes) {
        if (c.view === null) del.run(id);
        else upsert.run(id, c.view, c.ts);
      }
    },
    /** Every stored view that still parses (one that does not is skipped, not fatal). */
    list(): HostView[] {
      const out: HostView[] = [];
      for (const row of db.prepare("SELECT view FROM boards").iterate() as Iterable<{ view: string }>) {
        const d = decodePayload(hostViewSchema, Buffer.from(row.view), MAX_VIEW_BYTES);
        if (d.ok) out.push(d.value);
      }
      return out;
    },
  };
}
export type BoardsRepo = ReturnType<typeof createBoardsRepo>;
