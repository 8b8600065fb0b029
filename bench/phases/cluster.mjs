import { brokerRun } from "./broker.mjs";
import { startRedis } from "../lib/redis.mjs";
import { medianOfRuns } from "../lib/stats.mjs";
import { progress } from "../lib/progress.mjs";

/**
 * Clustered broker tier (BENCHMARKS.md §"Clustered broker tier"): our broker alone, one replica over Redis, and two replicas
 * over Redis with the boards split between them and the subscriber on the second replica (so
 * half of the messages cross Redis). Same generator and load as the broker tier.
 */
export async function runClusterPhase({ sizes, runs, runsAt10k = runs, warmupS, measureS, connectsPerSec, workers }) {
  const configs = [
    { name: "single", replicas: 0 },
    { name: "1 replica + Redis", replicas: 1 },
    { name: "2 replicas + Redis", replicas: 2 },
  ];
  const out = { sizes: [], runs: [] };
  for (const boards of sizes) {
    const per = Object.fromEntries(configs.map((c) => [c.name, []]));
    // Fewer runs at 10,000 boards keep the whole benchmark inside its time budget (the table says n).
    const n = boards >= 10_000 ? runsAt10k : runs;
    for (let r = 0; r < n; r++) {
      for (const c of r % 2 ? [...configs].reverse() : configs) {
        const label = `${c.name} ${boards} boards run ${r + 1}/${n}`;
        progress("cluster", `${label}: starting`);
        const redis = c.replicas ? await startRedis() : null;
        try {
          const res = await brokerRun({ kind: "ours", boards, warmupS, measureS, connectsPerSec, workers, label, phase: "cluster", cluster: redis ? { redis, replicas: c.replicas } : null });
          res.config = c.name;
          progress("cluster", `${label}: brokers ${res.cpuUsPerMsg} µs CPU/msg (${res.cpuCores} cores), redis ${res.redisCpuUsPerMsg ?? "–"} µs/msg, delivery ${res.delivery}, p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms`);
          per[c.name].push(res);
          out.runs.push(res);
        } finally {
          await redis?.stop();
        }
      }
    }
    out.sizes.push({ boards, runs: n, median: Object.fromEntries(configs.map((c) => [c.name, medianOfRuns(per[c.name])])) });
  }
  return out;
}
