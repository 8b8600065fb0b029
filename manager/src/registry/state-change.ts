import { isFlapping, type BoardState } from "@bbb/shared";
import type { BoardRecord } from "./board-record.js";
import type { RegistrySink } from "./registry-types.js";

/**
 * A board's state changed: flapping bookkeeping, then the event (docs/protocol.md §"Registry
 * states"). A state a previous run's retained view already said keeps its stateSince.
 */
export function createStateChanger(deps: {
  flap: { maxChanges: number; windowMs: number };
  sink: RegistrySink;
  previous: Map<string, { state: BoardState; stateSince: number }>;
}) {
  const { sink, previous } = deps;
  return function onStateChange(rec: BoardRecord, state: BoardState, t: number, reason: string): void {
    const prev = rec.state === null ? previous.get(rec.id) : undefined;
    if (prev) previous.delete(rec.id);
    if (prev && prev.state === state) {
      // Manager restart: the retained host view already says this; keep its stateSince.
      rec.state = state;
      rec.stateSince = prev.stateSince;
      return;
    }
    const from = rec.state ?? prev?.state ?? null;
    rec.state = state;
    rec.stateSince = t;
    const wasFlapping = rec.flapping;
    if (from !== null) {
      rec.changes.push(t);
      while (rec.changes.length > 0 && t - (rec.changes[0] ?? t) > deps.flap.windowMs) rec.changes.shift();
      if (rec.changes.length > deps.flap.maxChanges + 1) rec.changes.shift();
      rec.flapping = isFlapping(rec.changes, t, deps.flap);
    }
    if (rec.flapping && !wasFlapping) {
      rec.suppressed = 0;
      sink.flappingChanged(rec.id, rec.live.heartbeat?.hostname ?? rec.nodeHost, true, 0);
    }
    const quiet = rec.flapping && wasFlapping;
    if (quiet) rec.suppressed++;
    sink.stateChanged(
      {
        kind: "state-change",
        boardId: rec.id,
        hostname: rec.live.heartbeat?.hostname ?? rec.nodeHost,
        sector: rec.sector,
        type: rec.live.heartbeat?.type ?? null,
        from,
        to: state,
        problems: rec.problems,
        reason,
        ts: t,
      },
      !quiet,
    );
  };
}
