import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Top functions by self time of the .cpuprofile files `node --cpu-prof` wrote into `dir`
 * (the findings in BENCHMARKS.md come from these).
 */
export function topFunctions(dir, limit = 25) {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  const self = new Map();
  let total = 0;
  for (const f of files) {
    const prof = JSON.parse(readFileSync(join(dir, f), "utf8"));
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const dt = prof.timeDeltas ?? [];
    for (let i = 0; i < (prof.samples ?? []).length; i++) {
      const n = byId.get(prof.samples[i]);
      const us = dt[i] ?? 0;
      total += us;
      const cf = n.callFrame;
      const file = (cf.url ?? "").replace(/^file:\/\//, "").replace(/.*\/node_modules\//, "~/").replace(/.*\/work\/main\//, "");
      const key = `${cf.functionName || "(anonymous)"} ${file}:${cf.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + us);
    }
  }
  const idle = [...self.entries()].filter(([k]) => k.startsWith("(idle)")).reduce((a, [, v]) => a + v, 0);
  return [...self.entries()]
    .filter(([k]) => !k.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, us]) => ({ fn, selfMs: Math.round(us / 1000), pctOfBusy: Math.round((us / (total - idle)) * 1000) / 10 }));
}
