import { systemRun } from "./system.mjs";
import { clusterTier } from "../lib/cluster-tier.mjs";
import { progress } from "../lib/progress.mjs";

/**
 * The clustered tier under the whole system's load (BENCHMARKS.md §"Clustered tier, whole
 * system"): docker-stack.yml's processes (redis-server, broker replicas, the manager on one
 * of them; cluster-tier.mjs), N generated boards split over the replicas and over enough
 * generator processes that none holds more than `boardsPerWorker` sockets (the file limit is per
 * process), measured as the system phase measures the all-in-one server, plus each process's
 * share and the timeline of the run.
 */
export async function runClusterSystemPhase({ sizes, warmupS, measureS, connectsPerSec, boardsPerWorker = 10_000 }) {
  const out = { sizes: [] };
  for (const boards of sizes) {
    // The first 1,000 boards (those answering commands) have a worker of their own.
    const workers = Math.max(2, Math.ceil(Math.max(0, boards - 1000) / boardsPerWorker));
    // As many replicas as keep each under 15,000 boards (the file limit is 20,000 per process);
    // docker-stack.yml deploys three.
    const replicas = Math.max(2, Math.ceil(boards / 15_000));
    try {
      const r = await systemRun({ boards, warmupS, measureS, connectsPerSec, workers, broker: clusterTier({ replicas }), phase: "cluster-system", perProcess: true });
      progress("cluster-system", `${boards} boards: machine ${r.machineCores} cores busy; ${Object.entries(r.processes).map(([k, g]) => `${k} ${g.cores} (main ${g.mainCores})`).join(", ")}`);
      out.sizes.push({ ...r, workers, replicas });
    } catch (e) {
      progress("cluster-system", `${boards} boards: failed: ${e?.message ?? e}`);
      out.sizes.push({ boards, workers, replicas, error: String(e?.message ?? e), timeline: e?.timeline ?? [] });
    }
  }
  return out;
}
