/**
 * Keys due at a time, in 100 ms buckets: scheduling is O(1), a tick touches only due buckets.
 * A key rescheduled earlier keeps a stale later entry, skipped when its bucket comes.
 */
export function createDueQueue(bucketMs = 100) {
  const due = new Map<string, number>();
  const buckets = new Map<number, string[]>();
  return {
    /** Schedules `key` at `at` unless it is already due earlier. */
    schedule(key: string, at: number): void {
      const cur = due.get(key);
      if (cur !== undefined && cur <= at) return;
      due.set(key, at);
      const b = Math.floor(at / bucketMs);
      const list = buckets.get(b);
      if (list) list.push(key);
      else buckets.set(b, [key]);
    },
    cancel(key: string): void {
      due.delete(key);
    },
    has: (key: string) => due.has(key),
    /** Removes and returns the keys due at `now`. */
    take(now: number): string[] {
      const out: string[] = [];
      const later: [number, string][] = [];
      const limit = Math.floor(now / bucketMs);
      for (const [b, list] of buckets) {
        if (b > limit) continue;
        buckets.delete(b);
        for (const key of list) {
          const at = due.get(key);
          if (at !== undefined && at <= now) {
            due.delete(key);
            out.push(key);
          } else if (at !== undefined && Math.floor(at / bucketMs) === b) {
            // Not yet due within this bucket: keep it for the next tick.
            later.push([b, key]);
          }
        }
      }
      for (const [b, key] of later) {
        const list = buckets.get(b);
        if (list) list.push(key);
        else buckets.set(b, [key]);
      }
      return out;
    },
    get size() {
      return due.size;
    },
  };
}
