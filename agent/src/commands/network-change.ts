import type { Logger } from "pino";
import type { Restore } from "../backends/net/types.js";
import { AgentError, AgentErrorCodes, errorMessage } from "../errors.js";
import type { CommandRunner } from "../system/runner.js";

export interface ConfirmLink {
  reconnectNow(): void;
  waitForConnect(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

/**
 * Safe network change (issue "Remote commands"): after set-ip / set-hostname / apply-node the
 * agent dials the broker again from the new configuration; if no connection is made within the
 * deadline it restores the previous configuration by itself, reconnects, and the command fails
 * with AGENT_E_REVERTED (reason `reverted`) — a board never stays cut off by a typo.
 */
export function createNetworkConfirm(deps: { link: ConfirmLink; deadlineMs: number; log: Logger }) {
  const log = deps.log.child({ module: "network-confirm" });
  return async (restores: Restore[], ctx: { runner: CommandRunner; signal: AbortSignal }): Promise<void> => {
    const waiting = deps.link.waitForConnect(deps.deadlineMs, ctx.signal);
    deps.link.reconnectNow();
    if (await waiting) {
      ctx.runner.note("broker reached with the new configuration");
      return;
    }
    const seconds = Math.round(deps.deadlineMs / 1000);
    log.warn({ deadlineMs: deps.deadlineMs }, "broker unreachable after network change, reverting");
    ctx.runner.note(`broker not reached within ${seconds} s: restoring the previous configuration`);
    try {
      for (const restore of [...restores].reverse()) await restore(ctx.runner.run);
    } catch (e: unknown) {
      log.error({ err: e }, "revert failed");
      throw new AgentError(
        AgentErrorCodes.REVERT_FAILED,
        `broker unreachable and the revert failed: ${errorMessage(e)}`,
        {
          reason: "revert-failed",
        },
      );
    }
    deps.link.reconnectNow();
    throw new AgentError(
      AgentErrorCodes.REVERTED,
      `broker not reachable within ${seconds} s after the change; previous configuration restored (reverted)`,
      { reason: "reverted" },
    );
  };
}
