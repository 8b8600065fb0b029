import { boardStates, STATE_SEVERITY, type BoardState } from "@bbb/shared";

/** Words shown with every state colour (colour + text, never colour alone: colour-blind operators read the word). */
export const STATE_LABEL: Readonly<Record<BoardState, string>> = {
  online: "online",
  misconfigured: "misconfigured",
  unregistered: "unregistered",
  rebooting: "rebooting",
  offline: "offline",
  lost: "LOST",
  missing: "missing",
  spare: "spare",
};

/** Short glyph drawn inside map cells and badges, so states differ without colour vision. */
export const STATE_GLYPH: Readonly<Record<BoardState, string>> = {
  online: "✓",
  misconfigured: "!",
  unregistered: "?",
  rebooting: "↻",
  offline: "–",
  lost: "✕",
  missing: "∅",
  spare: "◇",
};

export const STATES_BY_SEVERITY: readonly BoardState[] = [...boardStates].sort((a, b) => STATE_SEVERITY[a] - STATE_SEVERITY[b]);

export function stateVar(s: string): string {
  return `var(--st-${s})`;
}
