/**
 * QoS 1 messages the agent must deliver (results, status) even across a disconnect: kept
 * until the broker acknowledges them, resent on the next connection. Bounded: the oldest
 * entries go first when a long outage piles them up.
 */
export interface OutboxEntry {
  topic: string;
  payload: string;
  retain: boolean;
  /** Connection generation the entry was last sent on; 0 = not sent on the current one. */
  sentOn: number;
  done: Array<(delivered: boolean) => void>;
}

export function createOutbox(max = 500) {
  const entries: OutboxEntry[] = [];
  return {
    add(topic: string, payload: string, retain: boolean): OutboxEntry {
      const e: OutboxEntry = { topic, payload, retain, sentOn: 0, done: [] };
      entries.push(e);
      while (entries.length > max) entries.shift()?.done.forEach((f) => f(false));
      return e;
    },
    /** Entries not yet sent on connection `gen`. */
    pending(gen: number): OutboxEntry[] {
      return entries.filter((e) => e.sentOn !== gen);
    },
    delivered(e: OutboxEntry) {
      const i = entries.indexOf(e);
      if (i >= 0) entries.splice(i, 1);
      e.done.forEach((f) => f(true));
    },
    size: () => entries.length,
    clear() {
      for (const e of entries.splice(0)) e.done.forEach((f) => f(false));
    },
  };
}
