import type { Publisher } from "../publisher/create-publisher.js";
import type { Registry } from "../registry/create-registry.js";
import type { RegistrySink } from "../registry/registry-types.js";
import type { Store } from "../store/create-store.js";
import type { EventBus } from "./events.js";

/**
 * Where the registry's changes go: host views to the publisher, state and problem changes to the
 * event bus, and state changes, re-keyed boards and flapping to the history
 * (docs/protocol.md §"Registry states", docs/legacy-protocols.md "Registry").
 */
export function createRegistrySink(deps: {
  publisher: Pick<Publisher, "hostChanged" | "hostRemoved" | "nodeChanged">;
  events: EventBus;
  store: () => Store | null;
  registry: () => Registry;
  now: () => number;
}): RegistrySink {
  const { publisher, events, now } = deps;
  return {
    hostChanged: (id, level) => publisher.hostChanged(id, level),
    hostRemoved: (id) => {
      publisher.hostRemoved(id);
      deps.store()?.noteBoard(id, null, now());
    },
    nodeChanged: (h) => publisher.nodeChanged(h),
    stateChanged: (e, record) => {
      events.emit(record ? e : { ...e, quiet: true });
      // The last known state of every board survives a restart (docs/protocol.md §"Liveness").
      const rec = deps.registry().records.get(e.boardId);
      if (rec) deps.store()?.noteBoard(e.boardId, JSON.stringify(deps.registry().hostView(rec)), e.ts);
      if (!record) return;
      deps.store()?.record({
        ts: e.ts,
        kind: "state-change",
        boardId: e.boardId,
        hostname: e.hostname,
        by: null,
        message: `${e.from ?? "new"} → ${e.to}${e.reason ? ` (${e.reason})` : ""}`,
        data: { from: e.from, to: e.to, reason: e.reason, problems: e.problems.map((p) => p.code) },
      });
    },
    problemsChanged: (e) => events.emit(e),
    boardRekeyed: (from, to, why) => {
      // docs/legacy-protocols.md "Registry": the board's history follows it to its new id.
      const n = deps.store()?.rekeyBoard(from, to) ?? 0;
      deps.store()?.record({
        ts: now(),
        kind: "registry",
        boardId: to,
        hostname: null,
        by: null,
        message: why === "moved" ? `board moved from ${from}` : `legacy board ${from} merged into this board`,
        data: { from, to, why, history: n },
      });
    },
    flappingChanged: (id, hostname, flapping, suppressed) => {
      const rec = flapping ? undefined : deps.registry().records.get(id);
      if (rec?.state) {
        // Subscribers saw no quiet change: the state it settled in is told once, when it calms down.
        events.emit({
          kind: "state-change",
          boardId: id,
          hostname,
          sector: rec.sector,
          type: rec.live.heartbeat?.type ?? null,
          from: null,
          to: rec.state,
          problems: rec.problems,
          reason: "flapping-ended",
          ts: now(),
        });
      }
      deps.store()?.record({
        ts: now(),
        kind: "flapping",
        boardId: id,
        hostname,
        by: null,
        message: flapping
          ? "started flapping: further state changes not recorded"
          : `stopped flapping (${suppressed} state changes not recorded)`,
        data: { flapping, suppressed },
      });
    },
  };
}
