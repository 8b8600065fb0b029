import { join } from "node:path";
import { startBroker } from "../lib/broker-runner.mjs";
import { referenceServer } from "../lib/server-runner.mjs";
import { startLoad } from "../lib/load-gen.mjs";
import { startSubscriber } from "../lib/subscriber.mjs";
import { createCpuMeter, memory } from "../lib/proc-stat.mjs";
import { nowMs } from "../lib/payloads.mjs";
import { medianOfRuns, round } from "../lib/stats.mjs";
import { sleep } from "../lib/children.mjs";
import { progress, rampReporter } from "../lib/progress.mjs";
import { retainedScanCost } from "../lib/retained-scan.mjs";

const SECRET = "bench-fleet-secret";

/**
 * One measured run: N boards at 1 Hz, retained QoS 0 heartbeats, one subscriber on
 * `bbb/+/heartbeat`; CPU of the broker process only, over a steady-state window.
 */
export async function brokerRun({ kind, boards, warmupS, measureS, connectsPerSec, workers, cluster, label, phase = "broker", respond = false, cpuProf, windowProfDir = process.env.BENCH_WINDOW_PROF, windowHeapDir = process.env.BENCH_WINDOW_HEAP }) {
  const brokers = [];
  let load = null;
  let sub = null;
  try {
    if (cluster) {
      for (let i = 0; i < cluster.replicas; i++) brokers.push(await startBroker(kind, { redisUrl: cluster.redis.url }));
    } else brokers.push(await startBroker(kind, { cpuProf }));
    // The subscriber sits on the last replica, so in a cluster every message crosses Redis
    // for the boards of the other replica.
    const subBroker = brokers[brokers.length - 1];
    sub = await startSubscriber({ url: subBroker.url, filters: ["bbb/+/heartbeat"], ...subBroker.viewer });
    load = await startLoad({
      boards,
      workers,
      urls: brokers.map((b) => b.url),
      prefix: "be",
      auth: { kind: "token", secret: SECRET },
      connectsPerSec,
      respond,
      onProgress: rampReporter(phase, label),
    });
    const tRamp = Date.now();
    const c = await load.waitConnected(((boards / connectsPerSec) * 3 + 60) * 1000);
    const rampS = (Date.now() - tRamp) / 1000;
    if (c.connected < boards) progress(phase, `${label}: only ${c.connected}/${boards} connected (${c.failed} failed)`);
    progress(phase, `${label}: warm-up ${warmupS} s, then measuring ${measureS} s`);
    await sleep(warmupS * 1000);
    const meter = createCpuMeter(brokers.map((b) => b.pid));
    const subMeter = createCpuMeter([sub.pid, ...load.pids()]);
    subMeter.start();
    const redisMeter = cluster ? createCpuMeter([cluster.redis.pid]) : null;
    redisMeter?.start();
    await sub.window(nowMs());
    await Promise.all(brokers.map((b) => b.gcReset()));
    const c0 = await load.counts();
    // BENCH_WINDOW_PROF=<dir>: a CPU profile of each broker's window (BENCHMARKS.md's profiles).
    if (windowProfDir) await Promise.all(brokers.map((b) => b.profStart()));
    // BENCH_WINDOW_HEAP=<dir>: sampled allocations of the window that outlived a scavenge (what
    // each message leaves for the old generation), one .heapprofile per broker.
    if (windowHeapDir) await Promise.all(brokers.map((b) => b.heapStart({ survivors: true })));
    meter.start();
    await sleep(measureS * 1000);
    const cpu = meter.stop();
    if (windowProfDir) await Promise.all(brokers.map((b, i) => b.profStop(join(windowProfDir, `${kind}-${boards}-${i}-${Date.now()}.cpuprofile`))));
    if (windowHeapDir) await Promise.all(brokers.map((b, i) => b.heapStop(join(windowHeapDir, `${kind}-${boards}-${i}-${Date.now()}.heapprofile`))));
    const redisCpu = redisMeter?.stop();
    const benchCpu = subMeter.stop();
    const c1 = await load.counts();
    const gc = await brokers[0].gc();
    // The delay monitor's 1 ms timer would wake the broker 1,000 times a second: measured after
    // the CPU window, in a window of its own (broker-proc.mjs).
    await Promise.all(brokers.map((b) => b.eldStart()));
    await sleep(Math.min(3, measureS) * 1000);
    const eld = await Promise.all(brokers.map((b) => b.eld()));
    const mem = brokers.map((b) => memory(b.pid));
    await load.setPublishing(false);
    await sleep(1500);
    const final = await load.counts();
    const s = await sub.stats();
    const msgs = c1.sent - c0.sent;
    return {
      kind,
      boards,
      connected: c.connected,
      rampS: round(rampS, 1),
      msgPerS: round(msgs / cpu.wallS, 0),
      cpuCores: round(cpu.cores, 3),
      cpuUsPerMsg: round((cpu.cpuS / msgs) * 1e6, 2),
      rssMiB: round(mem.reduce((a, m) => a + (m.rssMiB ?? 0), 0), 1),
      replicas: brokers.length,
      benchCores: round(benchCpu.cores, 3),
      redisCpuUsPerMsg: redisCpu ? round((redisCpu.cpuS / msgs) * 1e6, 2) : null,
      redisRssMiB: cluster ? round(memory(cluster.redis.pid).rssMiB, 1) : null,
      delivery: round(s.counts.heartbeat / final.sent, 6),
      sent: final.sent,
      received: s.counts.heartbeat,
      latencyMs: s.hbLatency,
      gc: gc ? gcSummary(gc) : null,
      busyConnacks: c.busy ?? 0,
      eventLoopDelayMs: eld[0] ? { p50: round(eld[0].p50, 2), p99: round(eld[0].p99, 2), max: round(eld[0].max, 2) } : null,
    };
  } finally {
    await load?.close();
    await sub?.close();
    for (const b of brokers) await b.stop();
  }
}

/** GC pauses per second of the window, and the major (mark-compact) collections in it. */
function gcSummary(gc) {
  const all = ["minor", "major", "incremental", "weakcb"].reduce((a, k) => a + gc[k].ms, 0);
  return {
    windowS: round(gc.windowS, 1),
    pauseMsPerS: round(all / gc.windowS, 2),
    minor: { n: gc.minor.n, ms: round(gc.minor.ms, 1), max: round(gc.minor.max, 1) },
    major: { n: gc.major.n, ms: round(gc.major.ms, 1), max: round(gc.major.max, 1) },
    incremental: { n: gc.incremental.n, ms: round(gc.incremental.ms, 1), max: round(gc.incremental.max, 1) },
  };
}

export async function runBrokerPhase(opts) {
  const { sizes, runs, kinds, warmupS, measureS, connectsPerSec, workers } = opts;
  const out = { runsPerSize: runs, sizes: [], runs: [], reference: kinds.includes("ours-ref") ? (referenceServer()?.label ?? null) : null };
  for (const boards of sizes) {
    const perKind = Object.fromEntries(kinds.map((k) => [k, []]));
    for (let r = 0; r < runs; r++) {
      // Alternate the order of the brokers from run to run so that drift of the machine's load hits both.
      const order = r % 2 ? [...kinds].reverse() : kinds;
      for (const kind of order) {
        const label = `${kind} ${boards} boards run ${r + 1}/${runs}`;
        progress("broker", `${label}: starting`);
        const res = await brokerRun({ kind, boards, warmupS, measureS, connectsPerSec, workers, label });
        progress("broker", `${label}: ${res.cpuUsPerMsg} µs CPU/msg, ${res.cpuCores} cores, RSS ${res.rssMiB} MiB, delivery ${res.delivery}, p50 ${res.latencyMs.p50} ms, p99 ${res.latencyMs.p99} ms`);
        perKind[kind].push(res);
        out.runs.push(res);
      }
    }
    const med = Object.fromEntries(kinds.map((k) => [k, medianOfRuns(perKind[k])]));
    const ref = med.mosquitto?.cpuUsPerMsg;
    const ratio = (k) => (ref && med[k]?.cpuUsPerMsg ? round(med[k].cpuUsPerMsg / ref, 2) : null);
    // Ratio per run pair (same run index) too, then its median: robust to drift between runs.
    out.sizes.push({ boards, median: med, ratioOursToMosquitto: ratio("ours"), ratioAedesToMosquitto: ratio("aedes"), ...(med.floor ? { ratioFloorToMosquitto: ratio("floor") } : {}), ...(med["ours-ref"] ? { ratioReferenceToMosquitto: ratio("ours-ref") } : {}) });
  }
  if (opts.gcCompare) {
    // The old generation's churn from retained heartbeats, before (Aedes' packet store) and after.
    const { boards, measureS: gcS } = opts.gcCompare;
    out.gcCompare = { runs: [] };
    for (const kind of ["ours-packets", "ours"]) {
      const label = `${kind} ${boards} boards, GC window ${gcS} s`;
      progress("broker", `${label}: starting`);
      const res = await brokerRun({ kind, boards, warmupS, measureS: gcS, connectsPerSec, workers, label });
      progress("broker", `${label}: GC ${JSON.stringify(res.gc)}`);
      out.gcCompare.runs.push(res);
    }
  }
  progress("broker", "cost of one SUBSCRIBE in the retained store");
  out.retainedScan = await retainedScanCost();
  return out;
}
