/**
 * setInterval/clearInterval whose intervals of the same period share one Node timer, so that
 * periodic work of one agent wakes the process once per period instead of once per timer.
 * The heartbeat (1 s by default) and MQTT.js's keepalive check (every keepalive / 2 = 1 s with
 * AGENT_KEEPALIVE_S = 2) tick together: on a board every wake-up costs about as much CPU as
 * building a heartbeat (<= 1 ms CPU per heartbeat, BENCHMARKS.md §"Agent footprint").
 *
 * An interval added to a running group first fires at the group's next tick, so its first
 * period is up to one period short; later ones are exact. For the keepalive this means a
 * PINGREQ after 1-2 s of silence from the broker instead of 2 s, while the time a PINGRESP
 * is given (one period) is unchanged. A group with a single member behaves like setInterval.
 */
export interface SharedIntervals {
  set(fn: () => void, ms: number): number;
  clear(id: number | undefined | null): void;
}

interface Group {
  timer: NodeJS.Timeout;
  members: Map<number, () => void>;
}

export function createSharedIntervals(): SharedIntervals {
  const groups = new Map<number, Group>();
  const periodOf = new Map<number, number>();
  let nextId = 1;
  return {
    set(fn, ms) {
      const id = nextId++;
      let g = groups.get(ms);
      if (!g) {
        const members = new Map<number, () => void>();
        const timer = setInterval(() => {
          // A member may clear itself or another one (MQTT.js reschedules from its callback):
          // each member present at the start of the tick runs once if still registered.
          for (const [mid, f] of [...members]) if (members.has(mid)) f();
        }, ms);
        g = { timer, members };
        groups.set(ms, g);
      }
      g.members.set(id, fn);
      periodOf.set(id, ms);
      return id;
    },
    clear(id) {
      if (id === undefined || id === null) return;
      const ms = periodOf.get(id);
      if (ms === undefined) return;
      periodOf.delete(id);
      const g = groups.get(ms);
      if (!g) return;
      g.members.delete(id);
      if (g.members.size === 0) {
        clearInterval(g.timer);
        groups.delete(ms);
      }
    },
  };
}
