import { startServer, FLEET_SECRET } from "./server-runner.mjs";
import { combineLoads, startLoad } from "./load-gen.mjs";
import { startSubscriber } from "./subscriber.mjs";
import { progress, rampReporter } from "./progress.mjs";
import { createTimeline } from "./proc-meter.mjs";

/**
 * The whole system under load: the all-in-one server, N generated boards (schema-valid
 * heartbeats, real board tokens, birth and will, commands answered) and a subscriber on
 * `bbb/registry/hosts/+` and results as admin. Returns handles; `close()` stops everything.
 * `timeline`: the returned `timeline` records the boards connected and each process's cores
 * during the ramp (and whenever sampled after).
 */
export async function startSystem({ boards, workers = 2, connectsPerSec = 500, phase, label, cpuProfDir, probeEvery, respond = true, responders = 1000, extraFilters = [], broker, serverEnv = {}, reconnect = false, connectTimeouts = null, serverMain, timeline: withTimeline = false }) {
  const parts = { server: null, sub: null, load: null, timeline: null };
  const loads = [];
  const close = async () => {
    // The generator groups started so far, also when the ramp failed before they were combined.
    await (parts.load ?? combineLoads(loads)).close();
    await parts.sub?.close();
    await parts.server?.stop();
  };
  try {
    parts.server = await startServer({ cpuProfDir, env: serverEnv, ...(broker ? { broker } : {}), ...(serverMain ? { main: serverMain } : {}) });
    const s = parts.server;
    parts.sub = await startSubscriber({ url: s.viewerUrl, filters: process.env.BENCH_NO_REGISTRY_SUB ? ["bbb/+/result/+"] : ["bbb/registry/hosts/+", "bbb/+/result/+", ...extraFilters], ...s.admin, clientId: `bench-sub-${process.pid}` });
    // Every board subscribes to `<root>/<id>/cmd/#` and answers commands, as every agent does
    // (the broker skips the retained scan for command filters: BENCHMARKS.md, findings). The
    // first `responders` ("be…") connect first and are the ones the command phases address.
    const t0 = Date.now();
    const probe = probeEvery ?? Math.max(1, Math.floor(boards / 200));
    const nr = respond ? Math.min(boards, responders) : 0;
    const common = { urls: s.boardUrls, auth: { kind: "token", secret: FLEET_SECRET }, connectsPerSec, probeEvery: probe, reconnect, connectTimeouts };
    // Every process of the system, the generator's workers as one group; the file limit is per process.
    const procs = () => [...s.processes.map((p) => ({ ...p, files: true })), ...loads.flatMap((l) => l.pids()).map((pid) => ({ name: "generator", pid })), { name: "measuring subscriber", pid: parts.sub.pid }];
    const tl = withTimeline ? createTimeline(procs) : null;
    parts.timeline = tl;
    const report = (r) => (tl ? (connected, target, left) => (r(connected, target, left), tl.sample(connected)) : r);
    if (nr > 0) {
      const a = await startLoad({ ...common, boards: nr, workers: 1, prefix: "be", respond: true, onProgress: report(rampReporter(phase, `${label}, command-answering boards`)) });
      loads.push(a);
      await a.waitConnected((nr / connectsPerSec) * 3000 + 60_000);
    }
    if (boards > nr) loads.push(await startLoad({ ...common, boards: boards - nr, workers, prefix: nr > 0 ? "bf" : "be", respond, onProgress: rampReporter(phase, label) }));
    parts.load = combineLoads(loads, report(rampReporter(phase, label)));
    const alive = () => s.dead() === null;
    const c = await parts.load.waitConnected((boards / connectsPerSec) * 1500 + 30_000, alive);
    if (c.died || !alive()) throw new Error(`a process of the system exited during the ramp (at most ${c.peak} boards were connected at once): ${s.dead()}`);
    if (c.connected < boards) progress(phase, `${label}: only ${c.connected}/${boards} connected after the ramp (peak ${c.peak})`);
    return { ...parts, procs, connected: c.connected, failed: c.failed, rampS: (Date.now() - t0) / 1000, close };
  } catch (e) {
    await close();
    // What the run saw until it failed (the ramp's timeline) goes with the error.
    if (parts.timeline && e && typeof e === "object") e.timeline = parts.timeline.entries;
    throw e;
  }
}

/**
 * Starts the system with `boards`, or, when the server does not hold that many (it dies or
 * cannot connect them all), with half as many, down to 1,000: "the largest N that holds".
 */
export async function startLargest(boards, start, phase) {
  const tried = [];
  for (let n = boards; n >= 1000; n = Math.floor(n / 2)) {
    try {
      const sys = await start(n);
      if (sys.connected >= n * 0.999) return Object.assign(sys, { boards: n, tried });
      tried.push({ boards: n, error: `only ${sys.connected} connected` });
      await sys.close();
    } catch (e) {
      tried.push({ boards: n, error: String(e?.message ?? e).slice(0, 300) });
    }
    progress(phase, `${n} boards do not hold (${tried.at(-1).error}); trying ${Math.floor(n / 2)}`);
  }
  throw new Error(`no size held: ${JSON.stringify(tried)}`);
}

/**
 * Runs a whole phase at `boards`, and, when that run fails (the server dies under load), again
 * with half as many, down to 1,000: the result says which size completed and what was tried.
 */
export async function largestThatCompletes(phase, boards, runAt) {
  const tried = [];
  for (let n = boards; n >= 1000; n = Math.floor(n / 2)) {
    try {
      const r = await runAt(n);
      r.requested = boards;
      r.tried = [...tried, ...(r.tried ?? [])];
      return r;
    } catch (e) {
      tried.push({ boards: n, error: String(e?.message ?? e).slice(0, 300) });
      progress(phase, `${n} boards did not hold (${tried.at(-1).error}); trying ${Math.floor(n / 2)}`);
    }
  }
  throw new Error(`no size held: ${JSON.stringify(tried)}`);
}

/** Throws if the server under test has exited (with the first error line of its stderr). */
export function assertServerAlive(sys) {
  const c = sys.server.child;
  if (c.exitCode !== null || c.signalCode !== null) {
    const why = (c.stderrText ?? "").split("\n").find((l) => /Error/.test(l)) ?? `exit ${c.exitCode ?? c.signalCode}`;
    throw new Error(`the server died: ${why.trim()}`);
  }
}
