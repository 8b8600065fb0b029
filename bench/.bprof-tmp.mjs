import { brokerRun } from "./phases/broker.mjs";
import { stopAll } from "./lib/children.mjs";
import { topFunctions } from "./lib/cpu-profile.mjs";
import { mkdtempSync } from "node:fs";
const kind = process.argv[2];
const dir = mkdtempSync(`/tmp/bprof-${kind}-`);
try {
  const r = await brokerRun({ kind, boards: 10000, warmupS: 2, measureS: 6, connectsPerSec: 1000, workers: 2, label: kind, cpuProf: dir });
  console.log(kind, r.cpuUsPerMsg, r.cpuCores, r.latencyMs);
} finally { await stopAll(); }
console.table(topFunctions(dir, 22));
