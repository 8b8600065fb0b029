import type { BoardState, Problem, Result } from "@bbb/shared";

/** A board (or node) changed state: what the socket's events.subscribe, webhooks and history see. */
export interface StateChangeEvent {
  kind: "state-change";
  boardId: string;
  hostname: string | null;
  sector: string | null;
  type: string | null;
  from: BoardState | null;
  to: BoardState;
  problems: Problem[];
  reason?: string;
  ts: number;
  /**
   * A change of a board flagged flapping: not written to history nor streamed to socket
   * subscribers (flapping must not flood, RELIABILITY.md §"Flapping board"); webhooks still see it (their delay debounces).
   */
  quiet?: boolean;
}

/** A result message from a board for a command the manager knows about (or an ad-hoc one). */
export interface CommandResultEvent {
  kind: "command-result";
  boardId: string;
  requestId: string;
  /** The bulk run it belongs to, when it was sent as part of one. */
  runId: string | null;
  by: string | null;
  result: Result;
  ts: number;
}

/**
 * A board's problems changed while its state stayed: an IOC died on an online board
 * (docs/epics.md), an alarm was raised or cleared, the clock lost sync (docs/protocol.md
 * §"Alarms"). Webhooks with `problems` rules and socket subscribers see it.
 */
export interface ProblemsChangeEvent {
  kind: "problems-change";
  boardId: string;
  hostname: string | null;
  sector: string | null;
  type: string | null;
  state: BoardState;
  problems: Problem[];
  ts: number;
}

export type RegistryEvent = StateChangeEvent | CommandResultEvent | ProblemsChangeEvent;

/** Subscription point for registry events; `on` returns the unsubscribe function. */
export interface EventBus {
  on(listener: (e: RegistryEvent) => void): () => void;
  emit(e: RegistryEvent): void;
}

export function createEventBus(): EventBus {
  const listeners = new Set<(e: RegistryEvent) => void>();
  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(e) {
      for (const l of [...listeners]) {
        try {
          l(e);
        } catch {
          // A failing listener (a dead socket client) must not stop delivery to the others.
        }
      }
    },
  };
}
