import { ManagerErrorCodes } from "../errors.js";
import type { LegacyBoard } from "./legacy-board.js";
import { toLegacyCommand, type LEGACY_ACTIONS, type LegacyCommand } from "./legacy-commands.js";
import type { LegacyEffects } from "./legacy-effects.js";
import type { LegacyCommandRequest } from "./legacy-router.js";

export interface HandOver {
  kind: keyof typeof LEGACY_ACTIONS;
  now: () => number;
  effects: LegacyEffects;
  /** What the bridge last saw of the board; null when it has not seen it. */
  board: LegacyBoard | null;
  /** Hands the command to the board (RPUSH, TCP); throws when it could not. */
  deliver: (c: LegacyCommand) => Promise<void>;
  /** Delivered means taken (TCP), or the board still has to take it (a list it polls). */
  takenOnDelivery: boolean;
  silenceMs: number;
}

/**
 * One command to a legacy board (docs/legacy-protocols.md "Results"): refused with a clear code
 * when the daemon cannot do it, `failed` when it could not be handed over, else `accepted` and
 * watched for its effect.
 */
export async function handOver(c: LegacyCommandRequest, h: HandOver): Promise<void> {
  const fail = (status: "failed" | "rejected", code: string, message: string) =>
    h.effects.failed(c.boardId, c.requestId, c.action, status, code, message);
  const lc = toLegacyCommand(h.kind, c.action, c.args);
  if ("refused" in lc) return fail("rejected", ManagerErrorCodes.LEGACY_UNSUPPORTED, lc.refused);
  if (!h.board) return fail("failed", ManagerErrorCodes.NOT_FOUND, `the ${h.kind} bridge has not seen this board`);
  try {
    await h.deliver(lc);
  } catch (err: unknown) {
    return fail("failed", ManagerErrorCodes.UNAVAILABLE, err instanceof Error ? err.message : String(err));
  }
  h.effects.accepted(
    {
      requestId: c.requestId,
      boardId: c.boardId,
      action: c.action,
      cmd: lc,
      ip: h.board.ip,
      hostname: h.board.hostname,
      deadline: h.now() + c.deadlineMs,
      silenceMs: h.silenceMs,
    },
    h.takenOnDelivery,
  );
}
