import type { Problem } from "@bbb/shared";

const CODES = { h: "conflict-hostname", i: "conflict-ip", p: "conflict-pv-prefix" } as const;
const FIELDS = { h: "hostname", i: "ip", p: "PV prefix" } as const;

/**
 * Live boards by hostname, IP and PV prefix. Two live boards holding the same key are in
 * conflict: both get a problem naming the other.
 */
export function createConflictIndex() {
  const byKey = new Map<string, Set<string>>();
  return {
    /** Replaces the keys of a board; returns the other boards whose conflicts may have changed. */
    set(id: string, oldKeys: readonly string[], newKeys: readonly string[]): Set<string> {
      const touched = new Set<string>();
      for (const k of oldKeys) {
        if (newKeys.includes(k)) continue;
        const s = byKey.get(k);
        if (!s) continue;
        s.delete(id);
        for (const o of s) touched.add(o);
        if (s.size === 0) byKey.delete(k);
      }
      for (const k of newKeys) {
        if (oldKeys.includes(k)) continue;
        let s = byKey.get(k);
        if (!s) byKey.set(k, (s = new Set()));
        for (const o of s) touched.add(o);
        s.add(id);
      }
      return touched;
    },
    problems(id: string, keys: readonly string[]): Problem[] {
      const out: Problem[] = [];
      for (const k of keys) {
        const s = byKey.get(k);
        if (!s || s.size < 2) continue;
        const kind = k[0] as keyof typeof CODES;
        const value = k.slice(2);
        const others = [...s].filter((o) => o !== id).slice(0, 64);
        out.push({
          code: CODES[kind],
          field: FIELDS[kind],
          actual: value,
          with: others,
          message: `${FIELDS[kind]} ${value} is also used by ${others.join(", ")}`,
        });
      }
      return out;
    },
  };
}
export type ConflictIndex = ReturnType<typeof createConflictIndex>;
