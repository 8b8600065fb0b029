import { RECONNECT_BACKOFF_CAP_MS, type BoardState, type HostView } from "@bbb/shared";
import { failedServices, type BoardRecord } from "./board-record.js";

/**
 * A restart of the manager: the boards the last run knew come back from the store before any
 * message (docs/protocol.md §"Liveness"). Each keeps its last state and stateSince; one that was
 * alive stays so, with an `awaiting-reconnect` problem, until it reconnects or the grace has
 * passed, and only then is it `lost` — a board still backing off is never flashed `lost`. The
 * same holds when the manager's own link to the broker comes back.
 */
export function createRestore(deps: {
  records: ReadonlyMap<string, BoardRecord>;
  previous: Map<string, { state: BoardState; stateSince: number }>;
  getOrCreate: (id: string, t: number) => BoardRecord;
  now: () => number;
}) {
  return {
    /** Seeds the registry with the last known views; returns how many boards it restored. */
    restoreKnown: (views: readonly HostView[], graceMs: number): number => {
      const t = deps.now();
      let n = 0;
      for (const v of views) {
        if (deps.records.has(v.id)) continue;
        const rec = deps.getOrCreate(v.id, t);
        const live = rec.live;
        live.session = v.session;
        live.heartbeat = v.heartbeat;
        if (v.inventory) live.inventory = v.inventory;
        if (v.heartbeat) rec.failedServices = failedServices(v.heartbeat);
        deps.previous.set(v.id, { state: v.state, stateSince: v.stateSince });
        if (v.state === "lost" || v.state === "offline") {
          live.status = v.state;
          live.lastSeen = v.lastSeen;
        } else {
          live.status = "online";
          live.lastSeen = v.lastSeen ?? t;
          live.quietUntil = t + graceMs;
          rec.restoredUntil = t + graceMs;
        }
        n++;
      }
      return n;
    },

    /**
     * The manager's own link to the broker is back after being down (silence said nothing about
     * the boards meanwhile, so staleness was suspended): every online board has its reconnect
     * back-off's ceiling to beat again (a will or an `offline` still counts at once).
     */
    linkResumed(reschedule: (rec: BoardRecord, t: number) => void): void {
      const t = deps.now();
      for (const rec of deps.records.values()) {
        if (rec.live.status === "online" && rec.alive) {
          rec.live.lastSeen = t;
          rec.live.quietUntil = Math.max(rec.live.quietUntil ?? 0, t + RECONNECT_BACKOFF_CAP_MS);
          reschedule(rec, t);
        }
      }
    },

    /** A restored board is connected again (a birth or a live beat): its grace ends. */
    backAfterRestart(rec: BoardRecord): void {
      if (rec.restoredUntil === null) return;
      rec.restoredUntil = null;
      rec.live.quietUntil = null;
      rec.sigKey = "";
    },
  };
}
