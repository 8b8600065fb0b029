import { fileURLToPath } from "node:url";
import { forkHelper, request, sleep, stop } from "./children.mjs";

const WORKER = fileURLToPath(new URL("./gen-worker.mjs", import.meta.url));

/**
 * N generated boards split over `workers` processes (the generator must not be the
 * bottleneck). `onProgress(connected, target)` is called while ramping.
 */
export async function startLoad(opts) {
  const { boards, workers = 2, urls, prefix = "be", connectsPerSec = 500, onProgress } = opts;
  const procs = [];
  const per = Math.ceil(boards / workers);
  const progress = new Map();
  for (let w = 0; w < workers && w * per < boards; w++) {
    const child = forkHelper(WORKER, [], { execArgv: ["--max-old-space-size=2048"] });
    child.on("message", (m) => {
      if (m?.type === "progress") progress.set(child.pid, m);
    });
    procs.push(child);
    const count = Math.min(per, boards - w * per);
    await request(child, {
      cmd: "start",
      cfg: {
        urls,
        prefix,
        from: w * per,
        count,
        auth: opts.auth,
        connectsPerSec: connectsPerSec / workers,
        periodMs: opts.periodMs ?? 1000,
        birth: opts.birth ?? true,
        will: opts.will ?? true,
        respond: opts.respond ?? false,
        reconnect: opts.reconnect ?? false,
        connectTimeouts: opts.connectTimeouts ?? null,
        keepalive: opts.keepalive ?? 2,
        probeEvery: opts.probeEvery ?? 0,
      },
    });
  }
  const gen = {
    procs,
    target: boards,
    pids: () => procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => p.pid),
    async counts() {
      const all = await Promise.all(procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => request(p, { cmd: "counts" })));
      return all.reduce(
        (a, c) => ({ sent: a.sent + c.sent, sentSince: a.sentSince + (c.sentSince ?? 0), connected: a.connected + c.connected, failed: a.failed + c.failed, busy: a.busy + (c.busy ?? 0), cmdsReceived: a.cmdsReceived + c.cmdsReceived, resultsSent: a.resultsSent + c.resultsSent }),
        { sent: 0, sentSince: 0, connected: 0, failed: 0, busy: 0, cmdsReceived: 0, resultsSent: 0 },
      );
    },
    /** Waits until every board is connected (or `timeoutMs`), reporting progress. */
    async waitConnected(timeoutMs, want = boards) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await gen.counts();
        onProgress?.(c.connected, want, Math.max(0, (deadline - Date.now()) / 1000));
        if (c.connected >= want) return c;
        if (Date.now() > deadline) return c;
        await sleep(500);
      }
    },
    /** Starts `count` more boards in a process of their own (victims for kill -9 / SIGSTOP). */
    async addGroup(count, from, prefix2 = prefix) {
      const child = forkHelper(WORKER, [], {});
      await request(child, { cmd: "start", cfg: { urls, prefix: prefix2, from, count, auth: opts.auth, connectsPerSec: Math.min(connectsPerSec, 500), periodMs: opts.periodMs ?? 1000, birth: true, will: true, respond: false, keepalive: opts.keepalive ?? 2 } });
      procs.push(child);
      return child;
    },
    async mark(since) {
      await Promise.all(procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => request(p, { cmd: "mark", since })));
    },
    async setPublishing(on) {
      await Promise.all(procs.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => request(p, { cmd: "publishing", on })));
    },
    async close() {
      await Promise.all(
        procs.map(async (p) => {
          try {
            if (p.exitCode === null && p.signalCode === null) await request(p, { cmd: "close" }, 5000);
          } catch {
            /* stopped below */
          }
          await stop(p);
        }),
      );
    },
  };
  return gen;
}

/** Several generator groups seen as one (counts add up; victims go to the first group's URLs). */
export function combineLoads(loads, onProgress) {
  const sum = (all) =>
    all.reduce((a, c) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k] + (c[k] ?? 0)])), { sent: 0, sentSince: 0, connected: 0, failed: 0, cmdsReceived: 0, resultsSent: 0 });
  const gen = {
    counts: async () => sum(await Promise.all(loads.map((l) => l.counts()))),
    /** `alive()` false (the server died) ends the wait at once; `peak` is the most boards seen connected. */
    async waitConnected(timeoutMs, alive) {
      const want = loads.reduce((a, l) => a + l.target, 0);
      const deadline = Date.now() + timeoutMs;
      let peak = 0;
      let lastRise = Date.now();
      for (;;) {
        const c = await gen.counts();
        if (c.connected > peak) lastRise = Date.now();
        peak = Math.max(peak, c.connected);
        c.peak = peak;
        // A ramp that has not gained a board for 20 s is over: the server holds no more.
        if (Date.now() - lastRise > 20_000) return { ...c, stalled: true };
        onProgress?.(c.connected, want, Math.max(0, (deadline - Date.now()) / 1000));
        if (c.connected >= want || Date.now() > deadline) return c;
        if (alive && !alive()) return { ...c, died: true };
        await sleep(500);
      }
    },
    mark: (since) => Promise.all(loads.map((l) => l.mark(since))),
    setPublishing: (on) => Promise.all(loads.map((l) => l.setPublishing(on))),
    addGroup: (...a) => loads[0].addGroup(...a),
    pids: () => loads.flatMap((l) => l.pids()),
    close: () => Promise.all(loads.map((l) => l.close())),
  };
  return gen;
}
