import { CodedError, errorMessage } from "@bbb/shared";
import type { ActionName, Result } from "@bbb/shared";
import type { Logger } from "pino";
import type { ActionDef, ActionSystem } from "../actions/types.js";
import { AgentErrorCodes } from "../errors.js";
import type { Exec } from "../system/exec.js";
import { createRunner } from "../system/runner.js";

export interface RunCommandDeps {
  exec: Exec;
  sys: ActionSystem;
  signal: AbortSignal;
  /** Records and publishes a result. */
  emit(res: Result): Promise<void>;
  /** emit, then waits until the result is stored and the broker acknowledged it (or timeoutMs). */
  emitAcknowledged(res: Result, timeoutMs: number): Promise<boolean>;
  base(id: string, action: string): Pick<Result, "v" | "id" | "action" | "ts">;
  progressMs: number;
  refresh(): Promise<void>;
  log: Logger;
}

/** How long an action that ends in a reboot waits for its `accepted` to reach the broker. */
const ACCEPTED_WAIT_MS = 3000;
/**
 * How long it waits for its early final result. Past it the action goes on: the result is stored
 * and answers a repeated id; the reboot was asked for and is not held back by a slow broker.
 */
const FINAL_WAIT_MS = 5000;

/**
 * Runs one accepted command (docs/protocol.md §"Commands and results"): `running` (progress rate-limited),
 * then `succeeded` or `failed` with the exit code, the last 64 KiB of output and a stable code.
 */
export async function runCommand<A extends ActionName>(
  d: RunCommandDeps,
  job: { id: string; action: A; def: ActionDef<A>; args: unknown; accepted: Promise<boolean> },
): Promise<void> {
  const { id, action } = job;
  const now = () => d.sys.clock.now();
  const runner = createRunner(d.exec, { signal: d.signal });
  let lastProgress = now();
  const progress = (p: number, data?: Record<string, unknown>) => {
    const t = now();
    if (t - lastProgress < d.progressMs && p < 1) return;
    lastProgress = t;
    void d.emit({ ...d.base(id, action), status: "running", progress: p, ...(data ? { data } : {}) });
  };
  void d.emit({ ...d.base(id, action), status: "running", progress: 0 });
  let finalSent = false;
  const succeedNow = async (note: string, data?: Record<string, unknown>): Promise<boolean> => {
    runner.note(note);
    await d.refresh();
    finalSent = true;
    return d.emitAcknowledged(
      { ...d.base(id, action), status: "succeeded", exitCode: 0, output: runner.output(), ...(data ? { data } : {}) },
      FINAL_WAIT_MS,
    );
  };
  try {
    const out = await job.def.run({
      id,
      args: job.args as Parameters<ActionDef<A>["run"]>[0]["args"],
      runner,
      signal: d.signal,
      sys: d.sys,
      progress,
      acceptedDelivered: () =>
        Promise.race([job.accepted, new Promise<boolean>((r) => setTimeout(() => r(false), ACCEPTED_WAIT_MS).unref())]),
      succeedNow,
    });
    // The final result already went out (succeedNow): nothing more to report.
    if (finalSent) return;
    await d.refresh();
    const output = runner.output();
    await d.emit({
      ...d.base(id, action),
      status: "succeeded",
      exitCode: 0,
      ...(output ? { output } : {}),
      ...(out.data ? { data: out.data } : {}),
    });
  } catch (e: unknown) {
    const err = e instanceof CodedError ? e : new CodedError(AgentErrorCodes.INTERNAL, errorMessage(e));
    if (!(e instanceof CodedError)) d.log.error({ err: e, action, id }, "action crashed");
    await d.refresh();
    const exitCode = typeof err.data?.exitCode === "number" ? err.data.exitCode : runner.lastExitCode() || 1;
    const output = runner.output();
    await d.emit({
      ...d.base(id, action),
      status: "failed",
      exitCode,
      ...(output ? { output } : {}),
      error: { code: err.code, message: err.message.slice(0, 2048) },
      ...(err.data ? { data: err.data } : {}),
    });
  }
}
