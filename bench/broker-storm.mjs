#!/usr/bin/env node
import { createServer } from "node:net";
import { startBroker } from "./lib/broker-runner.mjs";
import { startLoad } from "./lib/load-gen.mjs";
import { createCpuMeter } from "./lib/proc-stat.mjs";
import { describeMachine, machineLine } from "./lib/machine.mjs";
import { sleep, stopAll } from "./lib/children.mjs";
import { progress } from "./lib/progress.mjs";
import { writeJson } from "./lib/report.mjs";

/**
 * Reconnect storm on our broker (docs/protocol.md §"Server busy"): N boards connect at R/s and
 * hold for a window, then the broker is restarted on the same port and every board reconnects
 * at once (each 0.3-1.5 s after its connection closed, as the generator's boards do), and
 * again holds. Reports the connected count over time, busy CONNACKs and the broker's CPU.
 * `node bench/broker-storm.mjs [boards=12000] [connects/s=500] [holdS=30]` (tsc -b first).
 */
const [boards = 12_000, cps = 500, holdS = 30] = process.argv.slice(2).map(Number);

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function watch(load, want, timeoutS, label) {
  const t0 = Date.now();
  const timeline = [];
  let c = await load.counts();
  while (c.connected < want && Date.now() - t0 < timeoutS * 1000) {
    await sleep(1000);
    c = await load.counts();
    timeline.push([Math.round((Date.now() - t0) / 1000), c.connected]);
    if (timeline.length % 5 === 0) progress("storm", `${label}: ${c.connected}/${want} after ${timeline.at(-1)[0]} s (busy CONNACKs so far ${c.busy})`);
  }
  return { allInS: c.connected >= want ? (Date.now() - t0) / 1000 : null, connected: c.connected, busy: c.busy, failed: c.failed, timeline: timeline.filter((_, i) => i % 5 === 4) };
}

async function hold(load, pid, s) {
  const meter = createCpuMeter([pid]);
  const c0 = await load.counts();
  meter.start();
  let min = c0.connected;
  for (let i = 0; i < s; i++) {
    await sleep(1000);
    min = Math.min(min, (await load.counts()).connected);
  }
  const cpu = meter.stop();
  const c1 = await load.counts();
  return { minConnected: min, connected: c1.connected, msgPerS: Math.round((c1.sent - c0.sent) / cpu.wallS), cores: Number(cpu.cores.toFixed(3)) };
}

const machine = describeMachine();
const out = { boards, connectsPerSec: cps, machine: machineLine(machine) };
try {
  const port = await freePort();
  let broker = await startBroker("ours", { port });
  const load = await startLoad({ boards, workers: 2, urls: [broker.url], prefix: "st", auth: { kind: "token", secret: "bench-fleet-secret" }, connectsPerSec: cps, reconnect: true });
  out.ramp = await watch(load, boards, (boards / cps) * 3 + 60, "ramp");
  out.hold = await hold(load, broker.pid, holdS);
  progress("storm", `held: ${JSON.stringify(out.hold)}; restarting the broker`);
  await broker.stop();
  broker = await startBroker("ours", { port });
  out.restart = await watch(load, boards, 120, "after restart");
  out.holdAfter = await hold(load, broker.pid, holdS);
  await load.close();
  await broker.stop();
} finally {
  await stopAll();
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
// The Targets table of BENCHMARKS.md reads it (bench/lib/targets.mjs); only full-size runs are kept.
if (boards >= 12_000 && cps <= 500) writeJson(new URL("./results/storm.json", import.meta.url).pathname, out);
