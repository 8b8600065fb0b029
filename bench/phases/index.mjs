import { runBrokerPhase } from "./broker.mjs";
import { runClusterPhase } from "./cluster.mjs";
import { runClusterSystemPhase } from "./cluster-system.mjs";
import { runSystemPhase } from "./system.mjs";
import { runDetectionPhase } from "./detection.mjs";
import { runCommandsPhase } from "./commands.mjs";
import { runAgentPhase } from "./agent.mjs";
import { runAgentArmhfPhase } from "./agent-armhf.mjs";
import { runExternalPhase } from "./external.mjs";
import { runHealthPhase } from "./health.mjs";
import { runRestartPhase } from "./restart.mjs";
import { runManagerPathPhase } from "./manager-path.mjs";
import { agentArmhfMarkdown, agentMarkdown, brokerMarkdown, clusterMarkdown, commandsMarkdown, detectionMarkdown, externalMarkdown, managerPathMarkdown, restartMarkdown, systemMarkdown } from "../lib/tables.mjs";
import { healthMarkdown } from "../lib/health-table.mjs";
import { clusterSystemMarkdown } from "../lib/cluster-system-table.mjs";

const env = (name, fallback) => (process.env[name] ? process.env[name].split(",").map(Number) : fallback);
// With BENCH_REFERENCE_ROOT, the broker tier also runs our broker of that build (`ours-ref`);
// `floor` is a bare Node relay (lib/floor-broker.mjs), the least any Node broker spends.
const kinds = process.env.BENCH_BROKER_KINDS ? process.env.BENCH_BROKER_KINDS.split(",") : ["mosquitto", "floor", "ours", ...(process.env.BENCH_REFERENCE_ROOT ? ["ours-ref"] : []), "aedes"];

/**
 * The phases of `npm run bench`, each with its full and quick parameters and its report. A
 * phase with `quick: false` waits for something that cannot be shortened (a restart's grace,
 * emulated boards booting, a window holding a minute boundary) and is left out of `--quick`
 * unless named with `--only`: the quick run stays under 5 minutes.
 * Sizes can be overridden for exploration: BENCH_SYSTEM_SIZES=600,2000 etc.
 */
export const PHASES = {
  broker: {
    run: ({ quick }) =>
      runBrokerPhase(
        quick
          ? // One size and no GC comparison (10 s windows said nothing at 2,000 boards): the quick run stays under 5 minutes.
            { sizes: env("BENCH_BROKER_SIZES", [1000]), runs: 1, kinds, warmupS: 2, measureS: 4, connectsPerSec: 1000, workers: 2 }
          : { sizes: env("BENCH_BROKER_SIZES", [600, 2000, 10_000]), runs: 3, kinds, warmupS: 2, measureS: 6, connectsPerSec: 1000, workers: 2, gcCompare: { boards: env("BENCH_BROKER_GC_BOARDS", [10_000])[0], measureS: 20 } },
      ),
    markdown: brokerMarkdown,
  },
  system: {
    run: ({ quick }) =>
      runSystemPhase(
        quick
          ? { sizes: env("BENCH_SYSTEM_SIZES", [600, 2000]), warmupS: 3, measureS: 5, connectsPerSec: 500, workers: 2 }
          : { sizes: env("BENCH_SYSTEM_SIZES", [600, 2000, 10_000, 19_500]), warmupS: 5, measureS: 15, connectsPerSec: 500, workers: 2 },
      ),
    markdown: systemMarkdown,
  },
  detection: {
    run: ({ quick }) =>
      runDetectionPhase(
        quick
          ? { boards: env("BENCH_DETECTION_BOARDS", [1000])[0], victimsPerTest: 50, rounds: 1, warmupS: 3, connectsPerSec: 500, workers: 2 }
          : { boards: env("BENCH_DETECTION_BOARDS", [10_000])[0], victimsPerTest: 100, rounds: 2, warmupS: 5, connectsPerSec: 500, workers: 2 },
      ),
    markdown: detectionMarkdown,
  },
  commands: {
    run: ({ quick }) =>
      runCommandsPhase(
        quick
          ? { boards: env("BENCH_COMMANDS_BOARDS", [1000])[0], commands: 10, bulk: [{}], warmupS: 3, connectsPerSec: 500, workers: 2 }
          : { boards: env("BENCH_COMMANDS_BOARDS", [10_000])[0], commands: 200, bulk: [{}, { concurrency: 600 }], warmupS: 5, connectsPerSec: 500, workers: 2 },
      ),
    markdown: commandsMarkdown,
  },
  agent: {
    run: ({ quick }) => runAgentPhase(quick ? { beats: 10, warmupS: 3 } : { beats: 120, warmupS: 5 }),
    markdown: agentMarkdown,
  },
  "agent-armhf": {
    quick: false,
    run: ({ quick }) => runAgentArmhfPhase(quick ? { beats: 10, warmupS: 5 } : { beats: 60, warmupS: 10 }),
    markdown: agentArmhfMarkdown,
  },
  cluster: {
    run: ({ quick }) =>
      runClusterPhase(
        quick
          ? { sizes: env("BENCH_CLUSTER_SIZES", [600]), runs: 1, warmupS: 2, measureS: 4, connectsPerSec: 1000, workers: 2 }
          : { sizes: env("BENCH_CLUSTER_SIZES", [2000, 10_000]), runs: 3, runsAt10k: 1, warmupS: 2, measureS: 6, connectsPerSec: 1000, workers: 2 },
      ),
    markdown: clusterMarkdown,
  },
  "cluster-system": {
    // Boards per generator process stay well under the file limit (20,000 here); 2,000 boards
    // in the full run too, a size the tier holds beside those it does not.
    run: ({ quick }) =>
      runClusterSystemPhase(
        quick
          ? { sizes: env("BENCH_CLUSTER_SYSTEM_SIZES", [2000]), warmupS: 3, measureS: 5, connectsPerSec: 500, boardsPerWorker: 10_000 }
          : { sizes: env("BENCH_CLUSTER_SYSTEM_SIZES", [2000, 10_000, 20_000, 40_000]), warmupS: 5, measureS: 15, connectsPerSec: 500, boardsPerWorker: 10_000 },
      ),
    markdown: clusterSystemMarkdown,
  },
  external: {
    run: ({ quick }) =>
      runExternalPhase(
        quick
          ? { sizes: env("BENCH_EXTERNAL_SIZES", [600]), warmupS: 3, measureS: 5, connectsPerSec: 500, workers: 2 }
          : { sizes: env("BENCH_EXTERNAL_SIZES", [2000]), warmupS: 5, measureS: 15, connectsPerSec: 500, workers: 2 },
      ),
    markdown: externalMarkdown,
  },
  "manager-path": {
    run: ({ quick }) => runManagerPathPhase(quick ? { boards: 2000, seconds: 20, runs: 1 } : { boards: env("BENCH_PATH_BOARDS", [10_000])[0], seconds: 60, runs: 2 }),
    markdown: managerPathMarkdown,
  },
  restart: {
    quick: false,
    run: ({ quick }) =>
      runRestartPhase(
        quick
          ? { boards: env("BENCH_RESTART_BOARDS", [1000])[0], victims: 20, warmupS: 5, timeoutS: 90, connectsPerSec: 500, workers: 2, repeats: 1 }
          : // Three restarts (each design once per round, alternating): the target holds for every run or not at all.
            { boards: env("BENCH_RESTART_BOARDS", [10_000])[0], victims: 50, warmupS: 10, timeoutS: 120, connectsPerSec: 500, workers: 2, repeats: env("BENCH_RESTART_RUNS", [3])[0] },
      ),
    markdown: restartMarkdown,
  },
  health: {
    quick: false,
    // The system part measures 65 s so that its window holds a minute boundary (when 10,000 closed points are written).
    run: ({ quick, root }) =>
      runHealthPhase(
        quick
          ? { root, boards: 2000, minutes: 20, beatsPerMinute: 2, system: { boards: env("BENCH_HEALTH_BOARDS", [1000])[0], warmupS: 3, measureS: 65, connectsPerSec: 500, workers: 2 } }
          : { root, boards: 10_000, minutes: 60, beatsPerMinute: 4, system: { boards: env("BENCH_HEALTH_BOARDS", [10_000])[0], warmupS: 5, measureS: 65, connectsPerSec: 500, workers: 2 } },
      ),
    markdown: healthMarkdown,
  },
};
export const PHASE_NAMES = ["broker", "system", "detection", "commands", "manager-path", "restart", "agent", "agent-armhf", "cluster", "cluster-system", "external", "health"];
