/**
 * setInterval/clearInterval whose intervals share Node timers, so that the periodic work of one
 * agent wakes the process once per period instead of once per timer. Intervals of the same
 * period share one timer; with a `baseMs` (the agent passes its heartbeat period), every
 * interval whose period is a multiple of it runs on the base timer, every (period / base)-th
 * tick. The heartbeat (1 s by default), MQTT.js's keepalive check (every keepalive / 2 = 1 s with
 * AGENT_KEEPALIVE_S = 2) and the 5 s, 30 s and 60 s polls all tick together: on a board every
 * wake-up costs about as much CPU as building a heartbeat (BENCHMARKS.md §"Agent footprint").
 *
 * An interval added to a running group first fires at the group's next tick that completes its
 * period, so its first period is up to one base period short; later ones are exact. For the
 * keepalive this means a PINGREQ after 1-2 s of silence from the broker instead of 2 s, while
 * the time a PINGRESP is given (one period) is unchanged. A group with a single member behaves
 * like setInterval. A tick allocates nothing.
 */
export interface SharedIntervals {
  set(fn: () => void, ms: number): number;
  clear(id: number | undefined | null): void;
}

interface Member {
  fn: () => void;
  /** Base ticks per run, and ticks left until the next run. */
  every: number;
  left: number;
  /** The tick during which the member was added: it first runs at a later one. */
  addedIn: number;
}

interface Group {
  timer?: NodeJS.Timeout;
  members: Map<number, Member>;
  tick: number;
  ticking: boolean;
}

export function createSharedIntervals(baseMs?: number): SharedIntervals {
  const groups = new Map<number, Group>();
  const groupOf = new Map<number, number>();
  let nextId = 1;

  const periodFor = (ms: number): number =>
    baseMs !== undefined && baseMs > 0 && ms > baseMs && ms % baseMs === 0 ? baseMs : ms;

  const newGroup = (period: number): Group => {
    const g: Group = { members: new Map(), tick: 0, ticking: false };
    // A member may clear itself or another one, or add one (MQTT.js reschedules from its
    // callback): a cleared member is not visited again (Map iteration), an added one waits for
    // the next tick (addedIn).
    const visit = (m: Member) => {
      if (m.addedIn === g.tick) return;
      if (--m.left > 0) return;
      m.left = m.every;
      m.fn();
    };
    g.timer = setInterval(() => {
      g.tick++;
      g.ticking = true;
      try {
        g.members.forEach(visit);
      } finally {
        g.ticking = false;
      }
    }, period);
    groups.set(period, g);
    return g;
  };

  return {
    set(fn, ms) {
      const id = nextId++;
      const period = periodFor(ms);
      const g = groups.get(period) ?? newGroup(period);
      const every = Math.max(1, Math.round(ms / period));
      g.members.set(id, { fn, every, left: every, addedIn: g.ticking ? g.tick : -1 });
      groupOf.set(id, period);
      return id;
    },
    clear(id) {
      if (id === undefined || id === null) return;
      const period = groupOf.get(id);
      if (period === undefined) return;
      groupOf.delete(id);
      const g = groups.get(period);
      if (!g) return;
      g.members.delete(id);
      if (g.members.size === 0) {
        clearInterval(g.timer);
        groups.delete(period);
      }
    },
  };
}

/**
 * A background poll: on the agent's shared timers when given, else on a setInterval of its own
 * that does not keep the process alive. Returns what stops it.
 */
export function startPoll(fn: () => void, ms: number, intervals?: SharedIntervals): () => void {
  if (intervals) {
    const id = intervals.set(fn, ms);
    return () => intervals.clear(id);
  }
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
}
