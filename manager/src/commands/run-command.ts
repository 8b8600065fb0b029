import { randomBytes } from "node:crypto";
import { actionArgsSchemas, CodedError, describeZodError, isFinalStatus, REBOOTING_ACTIONS, SUCCESS_OUTCOMES, type ActionName, type BoardOutcome, type CommandOptions, type OutcomeStatus, type Result, type Run } from "@bbb/shared";
import type { Logger } from "pino";
import { ManagerErrorCodes } from "../errors.js";
import type { Registry } from "../registry/create-registry.js";
import type { Store } from "../store/create-store.js";
import type { CommandTracker } from "./command-tracker.js";

export interface RunRequest {
  ids: readonly string[];
  action: ActionName;
  args: unknown;
  options: CommandOptions;
  by: string;
  via: string;
  onProgress?: (p: { done: number; total: number; detail?: unknown }) => void;
  signal?: AbortSignal;
}

export interface RunnerDeps {
  log: Logger;
  now: () => number;
  store: Store;
  registry: () => Registry;
  tracker: CommandTracker;
}

const OUTPUT_IN_OUTCOME = 8192;
const NOT_FAILURES: readonly OutcomeStatus[] = [...SUCCESS_OUTCOMES, "skipped"];

/** Validates the arguments of an action with its shared schema (before anything is sent). */
export function validateArgs(action: ActionName, args: unknown): unknown {
  const r = actionArgsSchemas[action].safeParse(args ?? {});
  if (!r.success)
    throw new CodedError(ManagerErrorCodes.INVALID_PARAMS, `args of ${action}: ${describeZodError(r.error)}`);
  return r.data;
}

/**
 * Command fan-out (docs/protocol.md §"Commands and results"): one run over many boards with a concurrency
 * limit, an optional canary batch, an abort threshold and a per-board timeout, ending in
 * ONE aggregated result with every per-board outcome. Outcomes are saved in batches.
 */
export function createCommandRunner(deps: RunnerDeps) {
  const log = deps.log.child({ module: "runner" });
  const active = new Map<string, Run>();

  async function execute(run: Run, req: RunRequest, args: unknown): Promise<void> {
    const { options } = run;
    const dirty = new Set<number>();
    let failures = 0;
    let done = 0;
    const halt: { reason: string | null } = { reason: null };
    const counts = run.counts;
    const setStatus = (i: number, o: BoardOutcome, s: OutcomeStatus) => {
      counts[o.status] = Math.max(0, (counts[o.status] ?? 0) - 1);
      o.status = s;
      counts[s] = (counts[s] ?? 0) + 1;
      dirty.add(i);
    };
    const flush = () => {
      if (dirty.size === 0) return;
      const list = [...dirty].map((index) => ({ index, outcome: run.outcomes[index] as BoardOutcome }));
      dirty.clear();
      try {
        deps.store.runs.saveOutcomes(run.id, list, counts);
      } catch (err: unknown) {
        log.error({ err, runId: run.id }, "outcomes not saved");
      }
    };
    const flushTimer = setInterval(flush, 250);
    const rebootExpected =
      REBOOTING_ACTIONS.includes(run.action as ActionName) &&
      !(run.action === "apply-node" && (args as { reboot?: boolean }).reboot === false);

    const one = (i: number) =>
      new Promise<void>((resolve) => {
        const o = run.outcomes[i] as BoardOutcome;
        const rec = deps.registry().records.get(o.boardId);
        const finish = (s: OutcomeStatus) => {
          setStatus(i, o, s);
          o.finishedAt = deps.now();
          done++;
          if (!NOT_FAILURES.includes(s)) failures++;
          req.onProgress?.({ done, total: run.total, detail: o });
          resolve();
        };
        if (!rec) return finish("not-found");
        if (!rec.alive && !options.includeDead) return finish("not-connected");
        o.startedAt = deps.now();
        let timer: NodeJS.Timeout | null = null;
        const onResult = (r: Result) => {
          if (o.finishedAt !== null) return;
          o.lastResult = r.status;
          if (r.exitCode !== undefined) o.exitCode = r.exitCode;
          if (r.error) o.error = r.error;
          if (r.output !== undefined) o.output = r.output.slice(-OUTPUT_IN_OUTCOME);
          // A board that accepted a reboot goes away: `accepted` is its final outcome here.
          const terminal = isFinalStatus(r.status) || (r.status === "accepted" && rebootExpected);
          if (!terminal) return setStatus(i, o, r.status === "accepted" ? "accepted" : "running");
          if (timer) clearTimeout(timer);
          finish(r.status);
        };
        try {
          o.requestId = deps.tracker.send({
            boardId: o.boardId,
            action: run.action as ActionName,
            args,
            by: run.by,
            runId: run.id,
            ttlMs: options.ttlMs,
            rebootExpected,
            onResult,
          });
        } catch (err: unknown) {
          log.warn({ err, boardId: o.boardId }, "command not sent");
          o.error = { code: ManagerErrorCodes.UNAVAILABLE, message: "command could not be published" };
          return finish("error");
        }
        setStatus(i, o, "sent");
        timer = setTimeout(() => {
          if (o.finishedAt !== null) return;
          if (o.requestId) deps.tracker.detach(o.requestId);
          finish("timeout");
        }, options.timeoutMs);
      });

    const pool = async (indexes: number[], concurrency: number, threshold: number | undefined) => {
      let next = 0;
      const worker = async () => {
        while (next < indexes.length && halt.reason === null) {
          if (req.signal?.aborted) {
            halt.reason = "cancelled by the caller";
            break;
          }
          const i = indexes[next++] as number;
          await one(i);
          if (threshold !== undefined && failures >= threshold && halt.reason === null)
            halt.reason = `${failures} boards failed (threshold ${threshold})`;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, indexes.length) }, worker));
    };

    try {
      const all = run.outcomes.map((_, i) => i);
      const canary = Math.min(options.canary, all.length);
      if (canary > 0) {
        await pool(all.slice(0, canary), options.concurrency, 1);
        if (halt.reason !== null) halt.reason = `canary failed: ${halt.reason}`;
      }
      if (halt.reason === null) await pool(all.slice(canary), options.concurrency, options.abortThreshold);
      run.outcomes.forEach((o, i) => {
        if (o.status === "pending") setStatus(i, o, "skipped");
      });
    } finally {
      clearInterval(flushTimer);
      flush();
      run.status = halt.reason === null ? "completed" : "aborted";
      run.abortReason = halt.reason;
      run.finishedAt = deps.now();
      active.delete(run.id);
      const summary = Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`)
        .join(", ");
      try {
        deps.store.runs.finish(run.id, run.status, halt.reason, run.finishedAt, counts, {
          ts: run.finishedAt,
          kind: "run",
          boardId: run.total === 1 ? (run.outcomes[0]?.boardId ?? null) : null,
          hostname: null,
          by: run.by,
          message: `${run.action} on ${run.total} board(s) ${run.status}: ${summary}`.slice(0, 1024),
          data: { runId: run.id, counts, abortReason: halt.reason },
        });
      } catch (err: unknown) {
        log.error({ err, runId: run.id }, "run end not saved");
      }
      log.info(
        {
          runId: run.id,
          action: run.action,
          total: run.total,
          status: run.status,
          counts,
          ms: run.finishedAt - run.createdAt,
        },
        "command run finished",
      );
    }
  }

  return {
    /** Starts a run; resolves with the aggregated result (or at once with `wait: false`). */
    async run(req: RunRequest): Promise<Run> {
      const args = validateArgs(req.action, req.args);
      const t = deps.now();
      const ids = [...new Set(req.ids)];
      const run: Run = {
        id: `run-${t.toString(36)}-${randomBytes(3).toString("hex")}`,
        action: req.action,
        args,
        by: req.by,
        via: req.via,
        status: "running",
        abortReason: null,
        createdAt: t,
        finishedAt: null,
        total: ids.length,
        counts: { pending: ids.length },
        options: req.options,
        outcomes: ids.map((boardId) => ({
          boardId,
          status: "pending",
          requestId: null,
          lastResult: null,
          startedAt: null,
          finishedAt: null,
        })),
      };
      deps.store.runs.create(run, {
        ts: t,
        kind: "run",
        boardId: ids.length === 1 ? (ids[0] ?? null) : null,
        hostname: null,
        by: req.by,
        message: `${req.action} requested on ${ids.length} board(s)`,
        data: { runId: run.id, action: req.action, args, options: req.options, ids: ids.slice(0, 100) },
      });
      active.set(run.id, run);
      const p = execute(run, req, args);
      if (!req.options.wait) {
        p.catch((err: unknown) => log.error({ err, runId: run.id }, "run failed"));
        return structuredClone(run);
      }
      await p;
      return run;
    },
    /** A run in progress (its live outcomes), else the stored one. */
    get(id: string): Run | null {
      const a = active.get(id);
      return a ? structuredClone(a) : deps.store.runs.get(id);
    },
    activeCount: () => active.size,
  };
}
export type CommandRunner = ReturnType<typeof createCommandRunner>;
