import { runBrokerPhase } from "./broker.mjs";
import { runClusterPhase } from "./cluster.mjs";
import { brokerMarkdown, clusterMarkdown } from "../lib/tables.mjs";

/** The phases of `npm run bench`, each with its full and quick parameters and its report. */
export const PHASES = {
  broker: {
    run: ({ quick }) =>
      runBrokerPhase(
        quick
          ? { sizes: [300, 1000], runs: 1, kinds: ["mosquitto", "ours", "aedes"], warmupS: 2, measureS: 4, connectsPerSec: 1000, workers: 2 }
          : { sizes: [600, 2000, 10_000], runs: 3, kinds: ["mosquitto", "ours", "aedes"], warmupS: 3, measureS: 10, connectsPerSec: 1000, workers: 2 },
      ),
    markdown: brokerMarkdown,
  },
  cluster: {
    run: ({ quick }) =>
      runClusterPhase(
        quick
          ? { sizes: [600], runs: 1, warmupS: 2, measureS: 4, connectsPerSec: 1000, workers: 2 }
          : { sizes: [2000, 10_000], runs: 3, warmupS: 3, measureS: 10, connectsPerSec: 1000, workers: 2 },
      ),
    markdown: clusterMarkdown,
  },
};
export const PHASE_NAMES = ["broker", "system", "detection", "commands", "agent", "cluster"].filter((p) => p in PHASES);
