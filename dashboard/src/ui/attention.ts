import type { BoardState, Problem } from "@bbb/shared";

/**
 * States that need an operator: the board is gone (lost, offline), its node has no board
 * (missing), or it differs from its node (misconfigured). `rebooting` is expected to end by
 * itself and `unregistered` is a board nobody has claimed yet, not a fault.
 */
export const ATTENTION_STATES: readonly BoardState[] = ["lost", "offline", "missing", "misconfigured"];

/** Problems that make a board need attention whatever its state: two boards claiming one identity. */
export const CONFLICT_CODES: readonly Problem["code"][] = ["conflict-ip", "conflict-hostname", "conflict-node-ip", "conflict-pv-prefix", "duplicate-connection"];

export function hasConflict(problems: readonly { code: string }[]): boolean {
  return problems.some((p) => (CONFLICT_CODES as readonly string[]).includes(p.code));
}

export function needsAttention(state: BoardState, problems: readonly { code: string }[]): boolean {
  return ATTENTION_STATES.includes(state) || hasConflict(problems);
}
