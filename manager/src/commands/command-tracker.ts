import { randomBytes } from "node:crypto";
import { NETWORK_CHANGE_ACTIONS, REBOOTING_ACTIONS, isFinalStatus, type ActionName, type Result, type Topics } from "@bbb/shared";
import type { Logger } from "pino";
import type { EventBus } from "../service/events.js";
import type { HistoryInput } from "../store/history-repo.js";

export interface SendOptions {
  boardId: string;
  action: ActionName;
  args: unknown;
  by: string;
  runId: string | null;
  ttlMs?: number;
  /** apply-node with `reboot: false` does not put the board into `rebooting`. */
  rebootExpected?: boolean;
  onResult?: (r: Result) => void;
}

interface Pending {
  boardId: string;
  action: string;
  by: string;
  runId: string | null;
  rebootExpected: boolean;
  sentAt: number;
  onResult?: (r: Result) => void;
}

export interface TrackerDeps {
  log: Logger;
  now: () => number;
  topics: Topics;
  publish: (topic: string, payload: string, opts: { qos: 1; retain: false }) => void;
  events: EventBus;
  record: (e: HistoryInput) => void;
  /** Called when a board accepted a reboot / apply-node (the registry's `rebooting`). */
  onRebootAccepted: (boardId: string) => void;
  /** A network change started (accepted) or ended (final result): silence is expected meanwhile. */
  onNetworkChange?: (boardId: string, active: boolean) => void;
  /** How long a sent command is remembered for late results. */
  rememberMs?: number;
}

const RESULT_OUTPUT_IN_HISTORY = 2048;

/**
 * Sends commands and matches results to them (docs/protocol.md §"Commands and results"): every result, ours or an
 * ad-hoc one (mosquitto_pub), becomes a CommandResultEvent; final ones go to history.
 */
export function createCommandTracker(deps: TrackerDeps) {
  const log = deps.log.child({ module: "commands" });
  const pending = new Map<string, Pending>();
  const prefix = randomBytes(3).toString("hex");
  let counter = 0;
  const remember = deps.rememberMs ?? 3600_000;
  let sweepTimer: NodeJS.Timeout | null = null;

  return {
    /** Publishes the command; returns its request id. */
    send(o: SendOptions): string {
      const id = `m${prefix}-${(++counter).toString(36)}`;
      const t = deps.now();
      pending.set(id, {
        boardId: o.boardId,
        action: o.action,
        by: o.by,
        runId: o.runId,
        rebootExpected: o.rebootExpected ?? REBOOTING_ACTIONS.includes(o.action),
        sentAt: t,
        onResult: o.onResult,
      });
      const payload = { id, args: o.args ?? {}, issuedAt: t, ttlMs: o.ttlMs, by: o.by };
      deps.publish(deps.topics.cmd(o.boardId, o.action), JSON.stringify(payload), { qos: 1, retain: false });
      deps.record({
        ts: t,
        kind: "command",
        boardId: o.boardId,
        hostname: null,
        by: o.by,
        message: `${o.action} sent`,
        data: { requestId: id, action: o.action, args: o.args ?? {}, runId: o.runId },
      });
      return id;
    },

    /** A result message from `<root>/<boardId>/result/<requestId>`, already decoded. */
    handleResult(boardId: string, requestId: string, r: Result): void {
      const p = pending.get(requestId);
      const ours = p !== undefined && p.boardId === boardId;
      const t = deps.now();
      if (
        r.status === "accepted" &&
        REBOOTING_ACTIONS.includes(r.action as ActionName) &&
        (!ours || p.rebootExpected)
      ) {
        deps.onRebootAccepted(boardId);
      }
      if (NETWORK_CHANGE_ACTIONS.includes(r.action as ActionName)) {
        if (r.status === "accepted") deps.onNetworkChange?.(boardId, true);
        else if (isFinalStatus(r.status)) deps.onNetworkChange?.(boardId, false);
      }
      deps.events.emit({
        kind: "command-result",
        boardId,
        requestId,
        runId: ours ? p.runId : null,
        by: ours ? p.by : null,
        result: r,
        ts: t,
      });
      if (isFinalStatus(r.status)) {
        deps.record({
          ts: t,
          kind: "result",
          boardId,
          hostname: null,
          by: ours ? p.by : null,
          message: `${r.action} ${r.status}${r.error ? `: ${r.error.message}` : ""}`.slice(0, 1024),
          data: {
            requestId,
            runId: ours ? p.runId : null,
            status: r.status,
            exitCode: r.exitCode,
            error: r.error,
            output: r.output?.slice(-RESULT_OUTPUT_IN_HISTORY),
          },
        });
      }
      if (ours) {
        try {
          p.onResult?.(r);
        } catch (err: unknown) {
          log.error({ err, requestId }, "result handler failed");
        }
        if (isFinalStatus(r.status)) pending.delete(requestId);
      }
    },

    /** Stops waiting actively (timeout); a late result is still attributed and recorded. */
    detach(requestId: string): void {
      const p = pending.get(requestId);
      if (p) p.onResult = undefined;
    },

    inFlight: () => pending.size,

    start(): void {
      sweepTimer ??= setInterval(() => {
        const limit = deps.now() - remember;
        for (const [id, p] of pending) if (p.sentAt < limit) pending.delete(id);
      }, 60_000);
      sweepTimer.unref();
    },
    stop(): void {
      if (sweepTimer) clearInterval(sweepTimer);
      sweepTimer = null;
      pending.clear();
    },
  };
}
export type CommandTracker = ReturnType<typeof createCommandTracker>;
