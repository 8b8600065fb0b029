import { startSystem } from "../lib/system-run.mjs";
import { createCpuMeter, memory } from "../lib/proc-stat.mjs";
import { createProcMeter, groupFootprint, roundGroups } from "../lib/proc-meter.mjs";
import { nowMs } from "../lib/payloads.mjs";
import { round } from "../lib/stats.mjs";
import { forkHelper, request, sleep, stop } from "../lib/children.mjs";
import { progress } from "../lib/progress.mjs";
import { topFunctions } from "../lib/cpu-profile.mjs";
import { referenceServer } from "../lib/server-runner.mjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CANARY = fileURLToPath(new URL("../lib/stall-canary.mjs", import.meta.url));

/**
 * Figure 2: the all-in-one server with N boards at 1 Hz. Offered = heartbeats the generator
 * sent in the window; processed = heartbeats the manager decoded in the same window (probe);
 * latency = send → manager decode, and heartbeat → registry/hosts view of probe boards.
 * `perProcess`: also each process's (group's) cores, main thread, wait for a core, RSS and open
 * files in the window, the machine's busy cores, and the timeline of the run.
 */
export async function systemRun({ boards, warmupS, measureS, connectsPerSec, workers, cpuProfDir, broker, phase = "system", serverEnv = {}, tag = "", serverMain, perProcess = false }) {
  const label = `${boards} boards${tag}`;
  progress(phase, `${label}: starting the server and the generator`);
  const sys = await startSystem({ boards, workers, connectsPerSec, phase, label, serverEnv, timeline: perProcess, ...(broker ? { broker } : {}), ...(serverMain ? { serverMain } : {}) });
  try {
    progress(phase, `${label}: ${sys.connected} connected, warm-up ${warmupS} s, then measuring ${measureS} s`);
    await sleep(warmupS * 1000);
    const meter = createCpuMeter(sys.server.pids);
    // With an external broker: its share of the cores on its own.
    const brokerMeter = sys.server.pids.length > 1 ? createCpuMeter(sys.server.pids.slice(1)) : null;
    const genMeter = createCpuMeter(sys.load.pids());
    const procMeter = perProcess ? createProcMeter(sys.procs) : null;
    const footprint = {};
    // The window opens a moment in the future so that every counter has its start time
    // before the first beat it must count.
    const since = nowMs() + 300;
    await sys.sub.window(since);
    await sys.server.window(since);
    await sys.load.mark(since);
    if (perProcess) await sys.server.diagnostics?.reset();
    await sleep(Math.max(0, since - nowMs()));
    const c0 = await sys.load.counts();
    const m0 = await sys.server.heartbeatsTotal();
    if (cpuProfDir) await sys.server.profileStart();
    const canary = forkHelper(CANARY);
    await request(canary, { cmd: "reset" });
    meter.start();
    brokerMeter?.start();
    genMeter.start();
    procMeter?.start();
    let peakRss = 0;
    for (let left = measureS; left > 0; left -= 5) {
      await sleep(Math.min(5, left) * 1000);
      peakRss = Math.max(peakRss, sys.server.pids.reduce((sum, pid) => sum + (memory(pid).rssMiB ?? 0), 0));
      if (procMeter) {
        for (const [name, g] of Object.entries(groupFootprint(sys.procs()))) footprint[name] = { rssMiB: Math.max(footprint[name]?.rssMiB ?? 0, g.rssMiB), openFiles: g.openFiles };
        sys.timeline.sample((await sys.load.counts()).connected);
      }
      if (left > 5) progress(phase, `${label}: measuring, ${left - 5} s left`);
    }
    const cpu = meter.stop();
    const brokerCpu = brokerMeter?.stop() ?? null;
    const genCpu = genMeter.stop();
    const perProc = procMeter?.read() ?? null;
    const c1 = await sys.load.counts();
    if (cpuProfDir) await sys.server.profileStop(join(cpuProfDir, `server-${boards}.cpuprofile`));
    // Beats in flight at the end of the window are decoded a moment later: read the probe after
    // a short drain with publishing stopped, so they are counted on both sides.
    await sys.load.setPublishing(false);
    const c2 = await sys.load.counts();
    // Drain: wait until the manager has decoded everything in flight (its count stops
    // growing for 1 s, at most 20 s), so late beats count as processed, and late.
    let p1 = await sys.server.stats();
    for (let waited = 0, still = 0; waited < 20_000 && still < 1000; waited += 250) {
      await sleep(250);
      const p = await sys.server.stats();
      still = p.decodedSince === p1.decodedSince ? still + 250 : 0;
      p1 = p;
    }
    const machine = await request(canary, { cmd: "stats" });
    await stop(canary);
    const m1 = await sys.server.heartbeatsTotal();
    const diagnostics = perProcess && sys.server.diagnostics ? await sys.server.diagnostics.read() : null;
    const st = await sys.sub.stats();
    // Both sides count beats by their send time (>= since): exact, whatever is in flight.
    const offered = c2.sentSince;
    const processed = p1.decodedSince;
    const res = {
      boards,
      connected: sys.connected,
      connectedAtEnd: c2.connected,
      connectFailures: sys.failed,
      rampS: round(sys.rampS, 1),
      offeredPerS: round((c1.sent - c0.sent) / cpu.wallS, 0),
      processedPerS: round((processed / offered) * ((c1.sent - c0.sent) / cpu.wallS), 0),
      offered,
      processed,
      processedRatio: round(processed / offered, 6),
      // The server's own counter: beats counted from the window's start until after the drain
      // (publishing stopped at the window's end), per second of window.
      metricsHeartbeatsPerS: m0 !== null && m1 !== null ? round((m1 - m0) / cpu.wallS, 0) : null,
      cpuCores: round(cpu.cores, 3),
      brokerCores: brokerCpu ? round(brokerCpu.cores, 3) : null,
      generatorCores: round(genCpu.cores, 3),
      cpuUsPerBeat: round((cpu.cpuS / (c1.sent - c0.sent)) * 1e6, 1),
      rssMiB: round(peakRss, 0),
      heapUsedMiB: round(p1.heapUsedMiB, 0),
      decodeLatencyMs: roundLat(p1.decodeLatency),
      registryLatencyMs: roundLat(st.regLatency),
      eventLoopDelayMs: roundLat(p1.eventLoopDelay),
      gc: p1.gc ? { pauses: p1.gc.n, totalMs: round(p1.gc.totalMs, 0), maxMs: round(p1.gc.maxMs, 1), major: p1.gc.major, majorMaxMs: round(p1.gc.majorMaxMs, 1) } : null,
      stallsOver50Ms: p1.stalls ?? [],
      // The same measurement in an idle process beside it: stalls the machine imposed.
      machineStallsOver50Ms: machine.stalls,
      profiled: Boolean(cpuProfDir),
      registryStates: st.states,
      ...(perProc
        ? {
            machineCores: round(perProc.machineCores, 2),
            processes: Object.fromEntries(Object.entries(roundGroups(perProc.groups)).map(([k, g]) => [k, { ...g, rssMiB: round(footprint[k]?.rssMiB, 0), openFiles: footprint[k]?.openFiles ?? null }])),
            timeline: sys.timeline.entries,
            diagnostics,
          }
        : {}),
    };
    progress(phase, `${label}: processed ${res.processedPerS}/s of ${res.offeredPerS}/s offered (${(res.processedRatio * 100).toFixed(3)} %; /metrics ${res.metricsHeartbeatsPerS}/s), ${res.cpuCores} cores, RSS ${res.rssMiB} MiB, decode p99 ${res.decodeLatencyMs.p99} ms, registry p99 ${res.registryLatencyMs.p99} ms, loop delay p99 ${res.eventLoopDelayMs.p99} ms`);
    return res;
  } catch (e) {
    if (sys.timeline && e && typeof e === "object") e.timeline = sys.timeline.entries;
    throw e;
  } finally {
    await sys.close();
  }
}

function roundLat(l) {
  if (!l) return null;
  return Object.fromEntries(Object.entries(l).map(([k, v]) => [k, typeof v === "number" ? round(v, 2) : v]));
}

export async function runSystemPhase({ sizes, warmupS, measureS, connectsPerSec, workers, runs = 1 }) {
  const ref = referenceServer();
  const out = { sizes: [], reference: ref?.label ?? null };
  // With a reference build (BENCH_REFERENCE_ROOT), each size runs on it and on this build, in
  // alternating order from one run to the next.
  const designs = ref ? [{ design: `reference ${ref.label}`, serverMain: ref.main }, { design: "this build" }] : [{ design: null }];
  for (const boards of sizes) {
    const rs = [];
    for (let r = 0; r < runs * designs.length; r++) {
      const d = designs[(r + Math.floor(r / designs.length)) % designs.length];
      // BENCH_CPU_PROF=1: the server runs under `node --cpu-prof`; the top functions go into the results.
      const cpuProfDir = process.env.BENCH_CPU_PROF ? mkdtempSync(join(tmpdir(), "bench-prof-")) : undefined;
      try {
        const res = await systemRun({ boards, warmupS, measureS, connectsPerSec, workers, cpuProfDir, tag: d.design ? ` (${d.design})` : "", ...(d.serverMain ? { serverMain: d.serverMain } : {}) });
        res.design = d.design;
        if (cpuProfDir) {
          res.profileTop = topFunctions(cpuProfDir);
          res.profileDir = cpuProfDir;
        }
        rs.push(res);
      } catch (e) {
        progress("system", `${boards} boards: failed: ${e?.message ?? e}`);
        rs.push({ boards, design: d.design, error: String(e?.message ?? e) });
      }
    }
    out.sizes.push({ boards, runs: rs });
  }
  return out;
}
