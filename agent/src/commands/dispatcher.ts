import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import {
  DEFAULT_COMMAND_TTL_MS,
  MAX_COMMAND_BYTES,
  PROTOCOL_VERSION,
  SharedErrorCodes,
  actionArgsSchemas,
  commandSchema,
  createTopics,
  decodePayload,
  describeZodError,
  isActionName,
  parseTopic,
  requestIdSchema,
  type ActionName,
  type Command,
  type Result,
} from "@bbb/shared";
import { actions } from "../actions/index.js";
import type { ActionDef, ActionSystem } from "../actions/types.js";
import { AgentErrorCodes, type AgentErrorCode } from "../errors.js";
import type { Exec } from "../system/exec.js";
import type { ResultStore } from "./result-store.js";
import { runCommand } from "./run-command.js";
import type { BoardLog } from "../mqtt/board-log.js";
import { createSerialQueue } from "./serial-queue.js";

export interface DispatcherDeps {
  boardId: string;
  topicRoot: string;
  sys: ActionSystem;
  exec: Exec;
  store: ResultStore;
  publish(topic: string, payload: string): Promise<boolean>;
  log: Logger;
  /** Lines for the board's log topic (command outcomes). */
  boardLog?: BoardLog;
  /** Runs after every action, before its final result: refreshes what the heartbeat reports. */
  afterAction?: () => Promise<void>;
  /** Minimum spacing of `running` progress results (≤ 4/s by default). */
  progressIntervalMs?: number;
}

export const generateRequestId = () => `a${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;

/** The id a rejected message asked for, if it carries a valid one (so the reply lands on it). */
function salvageId(payload: Buffer): string | null {
  try {
    const v: unknown = JSON.parse(payload.toString("utf8"));
    if (typeof v === "object" && v !== null && "id" in v) {
      const r = requestIdSchema.safeParse(v.id);
      if (r.success) return r.data;
    }
  } catch {
    // Not JSON: the reply goes to a generated id.
  }
  return null;
}

const decodeCodes: Record<string, AgentErrorCode> = {
  [SharedErrorCodes.INVALID_JSON]: AgentErrorCodes.INVALID_JSON,
  [SharedErrorCodes.TOO_LARGE]: AgentErrorCodes.TOO_LARGE,
  [SharedErrorCodes.INVALID_PAYLOAD]: AgentErrorCodes.INVALID_COMMAND,
};

/**
 * Command handling of the agent (docs/protocol.md §"Commands and results"): validates `<root>/<id>/cmd/<action>`
 * messages, answers duplicates from the result store, rejects and expires, and runs accepted
 * commands one at a time, publishing accepted → running → succeeded | failed.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const topics = createTopics(deps.topicRoot);
  const log = deps.log.child({ module: "commands" });
  const queue = createSerialQueue((e: unknown) => log.error({ err: e }, "command job crashed"));
  const abort = new AbortController();
  const progressMs = deps.progressIntervalMs ?? 250;
  const now = () => deps.sys.clock.now();
  const refresh = async () => {
    try {
      await deps.afterAction?.();
    } catch (e: unknown) {
      log.debug({ err: e }, "refresh after action failed");
    }
  };

  /** Records and publishes a result; `delivered` resolves once the broker acknowledged it. */
  const send = (res: Result): { stored: Promise<void>; delivered: Promise<boolean> } => {
    const delivered = deps.publish(topics.result(deps.boardId, res.id), JSON.stringify(res));
    if (res.status !== "running" && res.status !== "accepted") {
      const what = `${res.action} ${res.id} ${res.status}`;
      if (res.status === "succeeded") deps.boardLog?.info(what);
      else deps.boardLog?.warn(res.error ? `${what}: ${res.error.code} ${res.error.message}` : what);
    }
    return { stored: deps.store.record(res), delivered };
  };
  /** Resolves once stored; delivery is the outbox's business. */
  const emit = async (res: Result): Promise<void> => {
    await send(res).stored;
  };
  /** Resolves once stored (state dir flushed) and acknowledged by the broker, or after timeoutMs. */
  const emitAcknowledged = async (res: Result, timeoutMs: number): Promise<boolean> => {
    const { stored, delivered } = send(res);
    await stored;
    await deps.store.flush();
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (t = setTimeout(() => r(false), timeoutMs)));
    try {
      return await Promise.race([delivered, timeout]);
    } finally {
      clearTimeout(t);
    }
  };
  const base = (id: string, action: string) => ({ v: PROTOCOL_VERSION, id, action, ts: now() });
  const reject = (id: string, action: string, code: AgentErrorCode, message: string) =>
    void emit({ ...base(id, action), status: "rejected", error: { code, message } });
  const expired = (cmd: Command, now_: number) =>
    cmd.issuedAt !== undefined && cmd.issuedAt + (cmd.ttlMs ?? DEFAULT_COMMAND_TTL_MS) < now_;

  const execute = async <A extends ActionName>(
    id: string,
    action: A,
    def: ActionDef<A>,
    args: unknown,
    cmd: Command,
    accepted: Promise<boolean>,
    stored: Promise<void>,
  ) => {
    // The accepted record must be on disk before anything irreversible (a reboot) happens.
    await stored;
    if (abort.signal.aborted) {
      await emit({
        ...base(id, action),
        status: "failed",
        error: { code: AgentErrorCodes.STOPPING, message: "the agent is stopping" },
      });
      return;
    }
    if (expired(cmd, now())) {
      await emit({
        ...base(id, action),
        status: "expired",
        error: { code: AgentErrorCodes.EXPIRED, message: "expired while queued" },
      });
      return;
    }
    await runCommand(
      { exec: deps.exec, sys: deps.sys, signal: abort.signal, emit, emitAcknowledged, base, progressMs, refresh, log },
      { id, action, def, args, accepted },
    );
  };

  return {
    handle(topic: string, payload: Buffer): void {
      const parsed = parseTopic(topic, deps.topicRoot);
      if (!parsed || parsed.kind !== "cmd" || parsed.boardId !== deps.boardId) return;
      const action = parsed.action;
      const decoded = decodePayload(commandSchema, payload, MAX_COMMAND_BYTES, { emptyAs: {} });
      if (!decoded.ok) {
        const id = (decoded.code !== SharedErrorCodes.TOO_LARGE ? salvageId(payload) : null) ?? generateRequestId();
        const seen = deps.store.get(id);
        if (seen) return void deps.publish(topics.result(deps.boardId, id), JSON.stringify(seen));
        return reject(id, action, decodeCodes[decoded.code] ?? AgentErrorCodes.INVALID_COMMAND, decoded.message);
      }
      const cmd = decoded.value;
      const id = cmd.id ?? generateRequestId();
      const earlier = deps.store.get(id);
      if (earlier) {
        // A repeated id is answered with the earlier result, never executed twice (docs/protocol.md §"Commands and results").
        log.info({ id, action }, "duplicate request id");
        void deps.publish(topics.result(deps.boardId, id), JSON.stringify(earlier));
        return;
      }
      if (!isActionName(action)) return reject(id, action, AgentErrorCodes.UNKNOWN_ACTION, `unknown action ${action}`);
      if (expired(cmd, now())) {
        void emit({
          ...base(id, action),
          status: "expired",
          error: { code: AgentErrorCodes.EXPIRED, message: "issuedAt + ttlMs is in the past" },
        });
        return;
      }
      const args = actionArgsSchemas[action].safeParse(cmd.args ?? {});
      if (!args.success) return reject(id, action, AgentErrorCodes.INVALID_ARGS, describeZodError(args.error));
      const def = actions[action] as ActionDef<ActionName>;
      const denied = def.check?.(args.data, deps.sys) ?? null;
      if (denied !== null) return reject(id, action, AgentErrorCodes.NOT_ALLOWED, denied);
      log.info({ id, action, by: cmd.by }, "command accepted");
      deps.boardLog?.info(`${action} ${id} accepted${cmd.by ? ` (by ${cmd.by})` : ""}`);
      const acceptedRes: Result = { ...base(id, action), status: "accepted" };
      const accepted = deps.publish(topics.result(deps.boardId, id), JSON.stringify(acceptedRes));
      const stored = deps.store.record(acceptedRes);
      queue.push(() => execute(id, action, def, args.data, cmd, accepted, stored));
    },
    /** Publishes results closed by the store at load time (restart during a command). */
    republish(results: Result[]) {
      for (const r of results) void deps.publish(topics.result(deps.boardId, r.id), JSON.stringify(r));
    },
    async stop(): Promise<void> {
      abort.abort();
      await queue.idle();
      await deps.store.flush();
    },
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;
