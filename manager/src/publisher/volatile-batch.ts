import type { HostsVolatile } from "@bbb/shared";
import type { BoardRecord } from "../registry/board-record.js";
import { createDueQueue } from "./due-queue.js";

/** Boards per `registry/volatile` message: ~100 × 0.6 KiB stays far below the packet limit. */
export const VOLATILE_BATCH_MAX = 100;

/**
 * The volatile heartbeat fields of many boards in few messages (docs/protocol.md §"Topic tree",
 * `registry/volatile`): a board is due `refreshMs` after it last went out, and every due board of
 * a tick goes out in messages of at most VOLATILE_BATCH_MAX boards.
 */
export function createVolatileBatch(deps: {
  now: () => number;
  topic: string;
  send: (topic: string, payload: string) => void;
}) {
  const due = createDueQueue();
  const lastSent = new Map<string, number>();
  return {
    /** A board changed only in volatile fields at `t`; its whole view last went out at `viewAt`. */
    schedule(id: string, t: number, viewAt: number, refreshMs: number): void {
      due.schedule(id, Math.max(t, Math.max(viewAt, lastSent.get(id) ?? 0) + refreshMs));
    },
    /** The board's whole view went out (or it is gone): nothing of it is pending. */
    cancel(id: string): void {
      due.cancel(id);
      lastSent.delete(id);
    },
    /** Sends the due boards that `recordOf` still knows. */
    flush(t: number, recordOf: (id: string) => BoardRecord | null): void {
      const ids = due.take(t);
      let hosts: HostsVolatile["hosts"] = [];
      const out = () => {
        if (hosts.length === 0) return;
        const msg: HostsVolatile = { v: 1, ts: Math.round(deps.now()), hosts };
        hosts = [];
        deps.send(deps.topic, JSON.stringify(msg));
      };
      for (const id of ids) {
        const rec = recordOf(id);
        const hb = rec?.live.heartbeat;
        if (!rec || !hb) continue;
        lastSent.set(id, t);
        hosts.push({ id, lastSeen: rec.live.lastSeen === null ? null : Math.round(rec.live.lastSeen), heartbeat: hb });
        if (hosts.length >= VOLATILE_BATCH_MAX) out();
      }
      out();
    },
  };
}
