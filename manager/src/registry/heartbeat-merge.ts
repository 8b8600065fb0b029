import type { Heartbeat } from "@bbb/shared";

/** Arrays and plain objects of one level (services, nameservers, pvPrefix) compared by value. */
function sameShallow(a: object, b: object): boolean {
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) if (ra[k] !== rb[k] || !Object.hasOwn(rb, k)) return false;
  return true;
}

/**
 * The board's heartbeat kept in one long-lived object: the fields of a new beat are copied into
 * the previous one, and a value equal to the stored one (a string of the same text, a list of
 * the same names) keeps the stored instance. Each beat's parsed object then dies young instead
 * of being promoted and replaced a second later (BENCHMARKS.md, "The latency tail is the old
 * generation's marking"). Returns the object the record holds from now on.
 */
export function mergeHeartbeat(target: Heartbeat | null, beat: Heartbeat): Heartbeat {
  if (target === null || target === beat) return beat;
  const t = target as Record<string, unknown>;
  const s = beat as Record<string, unknown>;
  for (const k in t) if (!Object.hasOwn(s, k)) delete t[k];
  for (const k in s) {
    const v = s[k];
    const old = t[k];
    if (old === v) continue;
    if (typeof v === "object" && v !== null && typeof old === "object" && old !== null && sameShallow(old, v)) continue;
    t[k] = v;
  }
  return target;
}
