import { CodedError, errorMessage } from "@bbb/shared";
import type { Logger } from "pino";
import type { Restore } from "../backends/net/types.js";
import { AgentErrorCodes } from "../errors.js";
import type { CommandRunner } from "../system/runner.js";

export interface ConfirmLink {
  /** Clean DISCONNECT (no will) and no reconnect until reconnectNow(). */
  disconnect(): Promise<void>;
  /** Dials the broker at once; the new connection publishes its birth `online`. */
  reconnectNow(): Promise<void>;
  waitForConnect(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

/**
 * Applies a change; pushes onto `restores` what undoes each step it made (they run newest first).
 */
export type NetworkApply<T> = (restores: Restore[]) => Promise<T>;

/**
 * Safe network change (docs/protocol.md §"Commands and results"): set-ip / set-nameservers / apply-node's network
 * part. The agent leaves the broker with a clean DISCONNECT *before* the change, while the old
 * path still works, so the broker discards the will and the manager never sees `lost` for a
 * board whose change succeeds (a will from the old connection carries the current session and
 * would count). After the change it dials again from the new configuration and is born `online`
 * on the new connection; if no connection is made within the deadline it restores the previous
 * configuration by itself, reconnects, and the command fails with AGENT_E_REVERTED (reason
 * `reverted`) — a board never stays cut off by a typo. A change that fails half-way is confirmed
 * the same way before its error is reported.
 */
export function createNetworkChange(deps: { link: ConfirmLink; deadlineMs: number; log: Logger }) {
  const log = deps.log.child({ module: "network-change" });
  return async <T>(
    restores: Restore[],
    apply: NetworkApply<T>,
    ctx: { runner: CommandRunner; signal: AbortSignal },
  ): Promise<T> => {
    await deps.link.disconnect();
    ctx.runner.note("left the broker (clean disconnect) for the network change");
    let value: T | undefined;
    let failure: { e: unknown } | null = null;
    try {
      value = await apply(restores);
    } catch (e: unknown) {
      failure = { e };
    }
    const waiting = deps.link.waitForConnect(deps.deadlineMs, ctx.signal);
    await deps.link.reconnectNow();
    if (await waiting) {
      ctx.runner.note("broker reached with the new configuration");
      if (failure) throw failure.e;
      return value as T;
    }
    const seconds = Math.round(deps.deadlineMs / 1000);
    log.warn({ deadlineMs: deps.deadlineMs }, "broker unreachable after network change, reverting");
    ctx.runner.note(`broker not reached within ${seconds} s: restoring the previous configuration`);
    if (failure) ctx.runner.note(`the change itself failed: ${errorMessage(failure.e)}`);
    try {
      for (const restore of [...restores].reverse()) await restore(ctx.runner.run);
    } catch (e: unknown) {
      log.error({ err: e }, "revert failed");
      await deps.link.reconnectNow();
      throw new CodedError(
        AgentErrorCodes.REVERT_FAILED,
        `broker unreachable and the revert failed: ${errorMessage(e)}`,
        { reason: "revert-failed" },
      );
    }
    await deps.link.reconnectNow();
    throw new CodedError(
      AgentErrorCodes.REVERTED,
      `broker not reachable within ${seconds} s after the change; previous configuration restored (reverted)`,
      { reason: "reverted" },
    );
  };
}
export type NetworkChange = ReturnType<typeof createNetworkChange>;
