import { existsSync } from "node:fs";
import { startBroker } from "../lib/broker-runner.mjs";
import { startSubscriber } from "../lib/subscriber.mjs";
import { AGENT_BUNDLE, AGENT_MAIN, bundleSize, startAgent, unitNodeSetup } from "../lib/agent-runner.mjs";
import { cpuSeconds, memory } from "../lib/proc-stat.mjs";
import { sleep, spawnProgram, stop } from "../lib/children.mjs";
import { round } from "../lib/stats.mjs";
import { progress } from "../lib/progress.mjs";

/**
 * Figure 5: one real agent process at 1 Hz against our broker (its own process): RSS and CPU
 * time per heartbeat over `beats` beats after a warm-up (start-up excluded), for the compiled
 * program and, when built, the shipped bundle. Both run as the systemd unit runs the bundle on a
 * board: with the node flags and environment of agent/packaging/bbb-agent.service.in.
 */
/**
 * Start-up is over only after V8's memory reducer has run: two or three full GCs 8-10 s after
 * the agent starts (`node --trace-gc`), ~30-60 ms of CPU that a 5 s warm-up would spread
 * over the measured beats as 0.5-1 ms each. The window therefore opens 15 s after start at
 * the earliest.
 */
const STARTUP_S = 15;

/** `node`: the runtime argv (default this machine's node; e.g. qemu-arm + an armhf node). */
export async function measure(program, { beats, warmupS, node = [process.execPath], label }) {
  const broker = await startBroker("ours");
  const sub = await startSubscriber({ url: broker.url, filters: ["bbb/+/heartbeat"], ...broker.viewer });
  let agent = null;
  try {
    agent = await startAgent({ url: broker.url, secret: "bench-fleet-secret", program, node });
    await sleep(Math.max(warmupS, STARTUP_S) * 1000);
    const s0 = await sub.stats();
    const c0 = cpuSeconds(agent.pid);
    const t0 = performance.now();
    let peak = 0;
    for (let i = 0; i < beats; i += 10) {
      await sleep(Math.min(10, beats - i) * 1000);
      peak = Math.max(peak, memory(agent.pid).rssMiB ?? 0);
      progress("agent", `${program.endsWith(".cjs") ? "bundle" : "dist/main.js"}: ${Math.min(beats, i + 10)}/${beats} s`);
    }
    const c1 = cpuSeconds(agent.pid);
    const wall = (performance.now() - t0) / 1000;
    const s1 = await sub.stats();
    const n = s1.counts.heartbeat - s0.counts.heartbeat;
    const mem = memory(agent.pid);
    return { program: label ?? (program.endsWith(".cjs") ? "bundle" : "dist/main.js"), beats: n, wallS: round(wall, 1), cpuMsPerBeat: round(((c1 - c0) / n) * 1000, 3), cpuPct: round(((c1 - c0) / wall) * 100, 2), rssMiB: round(mem.rssMiB, 1), peakRssMiB: round(Math.max(peak, mem.peakMiB ?? 0), 1) };
  } finally {
    await agent?.stop();
    await sub.close();
    await broker.stop();
  }
}

/** RSS of a bare Node process with one timer: the floor under any Node program here. */
async function bareNodeRss() {
  const child = spawnProgram(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
  try {
    await sleep(3000);
    return round(memory(child.pid).rssMiB, 1);
  } finally {
    await stop(child);
  }
}

export async function runAgentPhase({ beats, warmupS }) {
  const unit = unitNodeSetup();
  const out = { bundleBytes: bundleSize(), bareNodeRssMiB: await bareNodeRss(), nodeArgs: unit.nodeArgs, env: unit.env, runs: [] };
  if (!existsSync(AGENT_MAIN)) throw new Error(`${AGENT_MAIN} not built (npx tsc -b agent)`);
  out.runs.push(await measure(AGENT_MAIN, { beats, warmupS }));
  if (existsSync(AGENT_BUNDLE)) out.runs.push(await measure(AGENT_BUNDLE, { beats, warmupS }));
  for (const r of out.runs) progress("agent", `${r.program}: RSS ${r.rssMiB} MiB (peak ${r.peakRssMiB}), ${r.cpuMsPerBeat} ms CPU per beat over ${r.beats} beats`);
  return out;
}
