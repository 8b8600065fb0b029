/**
 * The fleet simulator's own cost (`node bench/sim-cost.mjs [boards]`): CPU and RSS of
 * `agent/dist/sim/main.js` and its workers against the all-in-one server, to choose between the
 * simulator and the raw generator for the system benchmarks (BENCHMARKS.md, "How it measures").
 */
import { startServer, FLEET_SECRET } from "./lib/server-runner.mjs";
import { spawnProgram, stop, stopAll, sleep } from "./lib/children.mjs";
import { cpuSeconds, memory } from "./lib/proc-stat.mjs";
import { readFileSync } from "node:fs";
const n = Number(process.argv[2] ?? 600);
try {
  const s = await startServer();
  const sim = spawnProgram(process.execPath, ["/work/main/agent/dist/sim/main.js", "--boards", String(n), "--rate", "1", "--workers", "2", "--ramp", "500", "--url", `mqtt://127.0.0.1:${s.url.port}`], { env: { BBB_FLEET_SECRET: FLEET_SECRET } });
  await sleep(n / 500 * 1000 + 8000);
  const kids = () => readFileSync(`/proc/${sim.pid}/task/${sim.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  const pids = [sim.pid, ...kids()];
  const c0 = pids.map(cpuSeconds), s0 = cpuSeconds(s.pid); const t0 = performance.now();
  await sleep(10000);
  const c1 = pids.map(cpuSeconds), s1 = cpuSeconds(s.pid); const w = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ boards: n, simProcs: pids.length, simCores: c1.reduce((a, c, i) => a + c - c0[i], 0) / w, simRssMiB: pids.reduce((a, p) => a + (memory(p).rssMiB ?? 0), 0), serverCores: (s1 - s0) / w, out: sim.stdoutText.slice(-300) }));
  await stop(sim); await s.stop();
} finally { await stopAll(); }
