import { type ActionName, type BoardOutcome, type Run, type Topics } from "@bbb/shared";
import { shallowRef, type ShallowRef } from "vue";
import { errorText, isUnknownMethod } from "../errors.js";
import { baselineOf, type Baseline } from "./command-effect.js";
import type { ManagerApi } from "../api/manager-api.js";
import type { FleetStore } from "../store/fleet-store.js";

/** A command run started from this console: one board or a bulk selection. */
export interface RunView {
  key: string;
  runId: string | null;
  action: ActionName;
  args: unknown;
  boards: readonly string[];
  startedAt: number;
  state: "starting" | "running" | "completed" | "aborted" | "interrupted" | "failed";
  error: string | null;
  /** Per-board outcome from the manager's run record (commands.get), by board id. */
  outcomes: ReadonlyMap<string, BoardOutcome>;
  /** Request id per board, where known: live results on `<root>/<id>/result/<requestId>`. */
  requestIds: ReadonlyMap<string, string>;
  /** Sent straight to the boards' cmd topics (a manager without hosts.command). */
  direct: boolean;
  /** Each board as it was when the run started, to tell its effect (command-effect.ts). */
  baseline: ReadonlyMap<string, Baseline>;
}

export interface CommandRunnerDeps {
  api: ManagerApi;
  topics: Topics;
  store: FleetStore;
  subscribe: (filter: string) => void;
  publish: (topic: string, payload: string) => Promise<void>;
  username: string;
  now?: () => number;
  pollMs?: number;
}

/** Above this many boards a bulk run listens on `<root>/+/result/+` instead of one filter per board. */
const PER_BOARD_SUBSCRIPTIONS = 200;

let seq = 0;
const newKey = () => `r${Date.now().toString(36)}${(seq++).toString(36)}`;

export function createCommandRunner(deps: CommandRunnerDeps) {
  const now = deps.now ?? Date.now;
  const pollMs = deps.pollMs ?? 1000;
  const runs: ShallowRef<readonly RunView[]> = shallowRef([]);
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const baseline = (boards: readonly string[]) => new Map(boards.map((b) => [b, baselineOf(deps.store.state.value.hosts.get(b))]));
  const update = (key: string, patch: Partial<RunView>) => {
    runs.value = runs.value.map((r) => (r.key === key ? { ...r, ...patch } : r));
  };

  const fromRun = (key: string, run: Run) => {
    const outcomes = new Map(run.outcomes.map((o) => [o.boardId, o]));
    const requestIds = new Map<string, string>();
    for (const o of run.outcomes) if (o.requestId) requestIds.set(o.boardId, o.requestId);
    for (const [boardId, requestId] of requestIds) {
      deps.store.push({ kind: "sent", boardId, requestId, action: run.action, by: run.by, at: run.createdAt, runId: run.id });
    }
    update(key, { runId: run.id, state: run.status, outcomes, requestIds, error: run.abortReason });
  };

  const poll = (key: string, runId: string) => {
    const t = setTimeout(() => {
      timers.delete(t);
      deps.api.run(runId).then(
        (run) => {
          fromRun(key, run);
          if (run.status === "running") poll(key, runId);
        },
        (e: unknown) => {
          update(key, { error: errorText(e) });
          poll(key, runId);
        },
      );
    }, pollMs);
    timers.add(t);
  };

  const listen = (boards: readonly string[]) => {
    if (boards.length > PER_BOARD_SUBSCRIPTIONS) deps.subscribe(deps.topics.filters.allResults);
    else for (const b of boards) deps.subscribe(deps.topics.result(b, "+"));
  };

  /** Commands straight to the boards (docs/protocol.md §"Authentication and ACL": operators may publish cmd/<action>). */
  const direct = async (key: string, action: ActionName, args: unknown, boards: readonly string[]) => {
    const requestIds = new Map<string, string>();
    for (const b of boards) {
      const id = `${key}-${b}`.slice(0, 64);
      requestIds.set(b, id);
      deps.store.push({ kind: "sent", boardId: b, requestId: id, action, by: deps.username, at: now(), runId: null });
      await deps.publish(deps.topics.cmd(b, action), JSON.stringify({ id, args: args ?? {}, issuedAt: now(), ttlMs: 60_000 }));
    }
    update(key, { state: "running", requestIds, direct: true });
  };

  return {
    runs,
    /** Starts a run; resolves with its key once the manager has accepted (or refused) it. */
    async start(action: ActionName, args: unknown, boards: readonly string[], reason?: string): Promise<string> {
      const key = newKey();
      const view: RunView = {
        key, runId: null, action, args, boards, startedAt: now(), state: "starting", error: null,
        outcomes: new Map(), requestIds: new Map(), direct: false, baseline: baseline(boards),
      };
      runs.value = [view, ...runs.value].slice(0, 50);
      listen(boards);
      try {
        const target = boards.length === 1 && boards[0] !== undefined ? { id: boards[0] } : { target: { ids: [...boards] } };
        const run = await deps.api.command({ ...target, action, args, options: { wait: false }, ...(reason ? { reason } : {}) });
        fromRun(key, run);
        if (run.status === "running") poll(key, run.id);
      } catch (e: unknown) {
        if (isUnknownMethod(e)) await direct(key, action, args, boards).catch((err: unknown) => update(key, { state: "failed", error: errorText(err) }));
        else update(key, { state: "failed", error: errorText(e) });
      }
      return key;
    },
    /** Follows a run the manager started for another request (nodes.bind with apply). */
    adopt(action: ActionName, boards: readonly string[], run: Run): string {
      const key = newKey();
      const view: RunView = { key, runId: run.id, action, args: run.args, boards, startedAt: now(), state: "starting", error: null, outcomes: new Map(), requestIds: new Map(), direct: false, baseline: baseline(boards) };
      runs.value = [view, ...runs.value].slice(0, 50);
      listen(boards);
      fromRun(key, run);
      if (run.status === "running") poll(key, run.id);
      return key;
    },
    get(key: string): RunView | undefined {
      return runs.value.find((r) => r.key === key);
    },
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
export type CommandRunner = ReturnType<typeof createCommandRunner>;

export interface LiveEntry {
  status: string;
  progress: number | null;
  requestId: string | null;
  error?: { message: string } | null;
}

/**
 * Status of one board in a run: the manager's outcome once it is final, otherwise the live
 * result seen on the board's result topic, otherwise whatever the manager said last.
 */
export function boardRunStatus(run: RunView, boardId: string, live: readonly LiveEntry[] | undefined): { status: string; progress: number | null; error: string | null } {
  const requestId = run.requestIds.get(boardId) ?? null;
  const entry = requestId ? live?.find((c) => c.requestId === requestId) : undefined;
  const outcome = run.outcomes.get(boardId);
  if (outcome && isTerminalOutcome(outcome.status)) return { status: outcome.status, progress: null, error: outcome.error?.message ?? null };
  if (entry && entry.status !== "sent") return { status: entry.status, progress: entry.progress, error: entry.error?.message ?? null };
  if (outcome) return { status: outcome.status, progress: null, error: outcome.error?.message ?? null };
  return { status: run.state === "failed" ? "error" : "pending", progress: null, error: run.error };
}

const TERMINAL = new Set(["succeeded", "failed", "rejected", "expired", "timeout", "skipped", "not-connected", "not-found", "error"]);
export function isTerminalOutcome(s: string): boolean {
  return TERMINAL.has(s);
}

/** Outcomes that count as success: `accepted` is final for reboot / apply-node (the board goes away). */
export function isSuccess(s: string): boolean {
  return s === "succeeded" || s === "accepted";
}
