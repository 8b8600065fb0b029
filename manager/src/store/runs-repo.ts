import {
  boardOutcomeSchema,
  commandOptionsSchema,
  type BoardOutcome,
  type Run,
  type RunStatus,
  type RunSummary,
} from "@bbb/shared";
import type { Db } from "./open-db.js";
import type { HistoryInput, HistoryRepo } from "./history-repo.js";

interface RunRow {
  id: string;
  action: string;
  args: string | null;
  by: string;
  via: string;
  status: string;
  abort_reason: string | null;
  created_at: number;
  finished_at: number | null;
  total: number;
  counts: string;
  options: string;
}

function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    action: r.action,
    args: r.args === null ? undefined : (JSON.parse(r.args) as unknown),
    by: r.by,
    via: r.via,
    status: r.status as RunStatus,
    abortReason: r.abort_reason,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    total: r.total,
    counts: JSON.parse(r.counts) as Record<string, number>,
    options: commandOptionsSchema.parse(JSON.parse(r.options)),
  };
}

/** Command runs (bulk or single) and their per-board outcomes. */
export function createRunsRepo(db: Db, history: HistoryRepo) {
  const s = {
    insert: db.prepare(
      "INSERT INTO runs (id, action, args, by, via, status, abort_reason, created_at, finished_at, total, counts, options) VALUES (@id, @action, @args, @by, @via, @status, @abortReason, @createdAt, @finishedAt, @total, @counts, @options)",
    ),
    outcome: db.prepare(
      "INSERT INTO run_outcomes (run_id, board_id, position, data) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, board_id) DO UPDATE SET data = excluded.data",
    ),
    finish: db.prepare("UPDATE runs SET status = ?, abort_reason = ?, finished_at = ?, counts = ? WHERE id = ?"),
    counts: db.prepare("UPDATE runs SET counts = ? WHERE id = ?"),
    get: db.prepare("SELECT * FROM runs WHERE id = ?"),
    outcomes: db.prepare("SELECT data FROM run_outcomes WHERE run_id = ? ORDER BY position"),
    running: db.prepare("SELECT id FROM runs WHERE status = 'running'"),
    interrupt: db.prepare(
      "UPDATE runs SET status = 'interrupted', finished_at = ?, abort_reason = ? WHERE status = 'running'",
    ),
    prune: db.prepare("DELETE FROM runs WHERE created_at < ? AND status <> 'running'"),
  };
  return {
    /** The run row and its outcomes (all `pending`) in one transaction. */
    create(run: Run, e: HistoryInput): void {
      db.transaction(() => {
        s.insert.run({
          ...run,
          args: run.args === undefined ? null : JSON.stringify(run.args),
          counts: JSON.stringify(run.counts),
          options: JSON.stringify(run.options),
        });
        run.outcomes.forEach((o, i) => s.outcome.run(run.id, o.boardId, i, JSON.stringify(o)));
        history.appendOne(e);
      })();
    },
    /** Stores changed outcomes (batched by the caller: one transaction per flush). */
    saveOutcomes(
      runId: string,
      outcomes: readonly { index: number; outcome: BoardOutcome }[],
      counts: Record<string, number>,
    ): void {
      if (outcomes.length === 0) return;
      db.transaction(() => {
        for (const { index, outcome } of outcomes)
          s.outcome.run(runId, outcome.boardId, index, JSON.stringify(outcome));
        s.counts.run(JSON.stringify(counts), runId);
      })();
    },
    finish(
      runId: string,
      status: RunStatus,
      abortReason: string | null,
      finishedAt: number,
      counts: Record<string, number>,
      e: HistoryInput,
    ): void {
      db.transaction(() => {
        s.finish.run(status, abortReason, finishedAt, JSON.stringify(counts), runId);
        history.appendOne(e);
      })();
    },
    get(id: string): Run | null {
      const r = s.get.get(id) as RunRow | undefined;
      if (!r) return null;
      const outcomes = (s.outcomes.all(id) as { data: string }[]).map((o) =>
        boardOutcomeSchema.parse(JSON.parse(o.data)),
      );
      return { ...toSummary(r), outcomes };
    },
    list(q: { status?: RunStatus; offset: number; limit: number }): RunSummary[] {
      const rows = (
        q.status === undefined
          ? db.prepare("SELECT * FROM runs ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?").all(q.limit, q.offset)
          : db
              .prepare("SELECT * FROM runs WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")
              .all(q.status, q.limit, q.offset)
      ) as RunRow[];
      return rows.map(toSummary);
    },
    /** Runs left `running` by a manager that died mid-run are `interrupted` (start-up). */
    markInterrupted(now: number, e: (runId: string) => HistoryInput): string[] {
      return db.transaction(() => {
        const ids = (s.running.all() as { id: string }[]).map((r) => r.id);
        if (ids.length === 0) return ids;
        s.interrupt.run(now, "the manager stopped during the run");
        for (const id of ids) history.appendOne(e(id));
        return ids;
      })();
    },
    prune(before: number): number {
      return s.prune.run(before).changes;
    },
  };
}
export type RunsRepo = ReturnType<typeof createRunsRepo>;
