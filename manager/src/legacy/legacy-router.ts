import type { ActionName, AgentKind } from "@bbb/shared";
import type { CommandRoute } from "../commands/command-tracker.js";
import type { Registry } from "../registry/create-registry.js";

export interface LegacyCommandRequest {
  requestId: string;
  boardId: string;
  action: ActionName;
  args: unknown;
  /** When to give up waiting for the effect. */
  deadlineMs: number;
}

/**
 * Default wait for an effect: a reboot has the reboot grace; the rest 25 s (a re-keying board
 * takes ~10 s plus its next 3 s poll), inside the runner's default 30 s per-board timeout.
 */
export function defaultDeadlineMs(action: ActionName, rebootGraceMs: number): number {
  return action === "reboot" ? rebootGraceMs : 25_000;
}

/**
 * Commands from every door reach the tracker; those for a board a bridge speaks for go to that
 * bridge instead of the board's MQTT topic. Sending is deferred, so results never arrive inside
 * the sender's own call.
 */
export function createLegacyRoute(
  registry: () => Registry,
  senders: Partial<Record<Exclude<AgentKind, "bbb-agent">, (c: LegacyCommandRequest) => Promise<void>>>,
  rebootGraceMs: number,
): CommandRoute {
  return (c) => {
    const agent = registry().records.get(c.boardId)?.agent;
    if (agent === undefined || agent === "bbb-agent") return false;
    const send = senders[agent];
    if (!send) return false;
    const deadlineMs = c.ttlMs ?? defaultDeadlineMs(c.action, rebootGraceMs);
    setImmediate(() => void send({ ...c, deadlineMs }));
    return true;
  };
}
