import type { Problem } from "@bbb/shared";

const CODES = { h: "conflict-hostname", i: "conflict-ip", p: "conflict-pv-prefix", v: "conflict-pv-served" } as const;
const FIELDS = { h: "hostname", i: "ip", p: "PV prefix", v: "PV" } as const;
/** Boards named in one conflict problem (problemSchema's `with` holds at most 64). */
const MAX_WITH = 64;

/**
 * Live boards by hostname, IP and PV prefix. Two live boards holding the same key are in
 * conflict: both get a problem naming the other.
 */
export function createConflictIndex() {
  const byKey = new Map<string, Set<string>>();
  return {
    /**
     * Replaces the keys of a board; returns the other boards whose conflicts may have changed.
     * In a large group (many boards on one IP, a common misconfiguration) the others' problem
     * lists no longer change with one more member, so they are not re-evaluated: no O(n²).
     */
    set(id: string, oldKeys: readonly string[], newKeys: readonly string[]): Set<string> {
      const touched = new Set<string>();
      const addOthers = (s: Set<string>) => {
        let n = 0;
        for (const o of s) {
          if (o === id) continue;
          touched.add(o);
          if (++n > MAX_WITH) break;
        }
      };
      for (const k of oldKeys) {
        if (newKeys.includes(k)) continue;
        const s = byKey.get(k);
        if (!s) continue;
        s.delete(id);
        if (s.size <= MAX_WITH) addOthers(s);
        if (s.size === 0) byKey.delete(k);
      }
      for (const k of newKeys) {
        if (oldKeys.includes(k)) continue;
        let s = byKey.get(k);
        if (!s) byKey.set(k, (s = new Set()));
        if (s.size <= MAX_WITH) addOthers(s);
        s.add(id);
      }
      return touched;
    },
    /** Boards holding a key (`h:<hostname>`, `i:<ip>`). */
    holders: (key: string): ReadonlySet<string> | undefined => byKey.get(key),
    problems(id: string, keys: readonly string[]): Problem[] {
      const out: Problem[] = [];
      for (const k of keys) {
        const s = byKey.get(k);
        if (!s || s.size < 2) continue;
        const kind = k[0] as keyof typeof CODES;
        const value = k.slice(2);
        const others: string[] = [];
        for (const o of s) {
          if (o !== id) others.push(o);
          if (others.length >= MAX_WITH) break;
        }
        out.push({
          code: CODES[kind],
          field: FIELDS[kind],
          actual: value,
          with: others,
          message: `${FIELDS[kind]} ${value} is also used by ${others.slice(0, 8).join(", ")}${s.size > 9 ? ` and ${s.size - 9} more` : ""}`,
        });
      }
      return out;
    },
  };
}
export type ConflictIndex = ReturnType<typeof createConflictIndex>;
