import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { progress } from "../lib/progress.mjs";
import { percentile, round } from "../lib/stats.mjs";
import { systemRun } from "./system.mjs";

/**
 * Health history (docs/protocol.md "Health history"): (a) what the series cost at `boards`
 * boards, in process with the manager's own store and a simulated clock: CPU per beat on the
 * heartbeat path, the main thread's hand-over of each simulated minute and the writer thread's
 * commit of it, bytes per point and per board per day, the longest prune step; (b) beat → registry/hosts latency of the
 * whole system with the history off and on, one after the other in the same run.
 */
export async function runHealthPhase({ root, boards, minutes, beatsPerMinute, system }) {
  const { createHealthHistory } = await import(pathToFileURL(join(root, "manager/dist/health/health-history.js")).href);
  const { silentLogger } = await import(pathToFileURL(join(root, "manager/dist/log.js")).href);
  const dir = mkdtempSync(join(tmpdir(), "bench-health-"));
  const out = { boards, minutes };
  try {
    let now = Date.UTC(2026, 0, 1, 0, 0, 0);
    const h = createHealthHistory({ dataDir: dir, log: silentLogger(), now: () => now, maxBytes: 1e12, flushMs: 3_600_000, pruneMs: 3_600_000 });
    await h.start();
    const ids = Array.from({ length: boards }, (_, i) => `b${String(i).padStart(11, "0")}`);
    const beat = (id, ts, k) => ({ v: 1, id, session: "s", seq: k, ts, hostname: "h", ip: "10.128.1.2", type: "t", uptime: 3600 + k, load1: 0.1 + (k % 7) / 10, memUsedPct: 30 + (k % 5), diskUsedPct: 42.1, tempC: 45 + (k % 9) / 3 });
    // The beats as the ingest hands them over (parsed once, reused: their building is not the cost measured).
    const beats = ids.map((id, i) => beat(id, now, i));
    for (let i = 0; i < boards; i++) h.observe(ids[i], beats[i], now);
    // (a1) the heartbeat path, observe() alone; (a2) the hand-over of each simulated minute's
    // closed points on the main thread (packing and postMessage: all the event loop pays, as the
    // longest event-loop delay meanwhile), and their commit in the writer thread.
    let observeNs = 0;
    let n = 0;
    const handOverMs = [];
    const commitMs = [];
    const idleMs = [];
    for (let m = 1; m <= minutes; m++) {
      now += 60_000;
      const o0 = process.hrtime.bigint();
      for (let b = 0; b < beatsPerMinute; b++) for (let i = 0; i < boards; i++) h.observe(ids[i], beats[i], now + b * (60_000 / beatsPerMinute));
      observeNs += Number(process.hrtime.bigint() - o0);
      n += beatsPerMinute * boards;
      const w0 = h.stats().writeMs;
      // The main thread packs and posts one batch per event-loop turn: the longest delay a
      // timer saw while the minute was handed over and committed is what a beat could wait.
      const loop = monitorEventLoopDelay({ resolution: 1 });
      const d0 = performance.now();
      loop.enable();
      await h.drain();
      loop.disable();
      handOverMs.push(loop.max / 1e6);
      commitMs.push(h.stats().writeMs - w0);
      // The same window with nothing to do: the delay the machine adds on its own (load of others, GC).
      const idle = monitorEventLoopDelay({ resolution: 1 });
      idle.enable();
      await new Promise((r) => setTimeout(r, Math.max(1, performance.now() - d0)));
      idle.disable();
      idleMs.push(idle.max / 1e6);
      if (m % 10 === 0) progress("health", `${m}/${minutes} simulated minutes, ${h.stats().fileBytes} bytes`);
    }
    out.observeNsPerBeat = round(observeNs / n, 0);
    const st = h.stats();
    const rows1 = boards * minutes;
    const rows15 = boards * Math.floor(minutes / 15);
    const dist = (xs) => ({ p50: round(percentile(xs, 50), 1), p99: round(percentile(xs, 99), 1), max: round(Math.max(...xs), 1) });
    out.handOverMsPerMinute = dist(handOverMs);
    out.idleLoopMs = dist(idleMs);
    // The writer thread's transactions of each minute (its own clock, whole milliseconds).
    out.writeMsPerMinute = dist(commitMs);
    out.fileBytes = st.fileBytes;
    out.bytesPerPoint = round(st.fileBytes / (rows1 + rows15), 1);
    out.bytesPerBoardPerDay = round((st.fileBytes / (rows1 + rows15)) * (1440 + 96), 0);
    out.bytesAt10kFor48hAnd90d = round(out.bytesPerPoint * boards * (2880 + 96 * 90), 0);
    // (a3) retention as the manager runs it: an hour of minutes deleted board by board along the
    // primary key, 25 boards per transaction (one event-loop turn each).
    const db = (await import("better-sqlite3")).default(join(dir, "health.sqlite"));
    const del = db.prepare("DELETE FROM m1 WHERE b = ? AND t < ?");
    const all = db.prepare("SELECT b FROM boards").all().map((r) => r.b);
    const cut = Math.floor(now / 60_000) - minutes + Math.min(60, minutes);
    const steps = [];
    for (let i = 0; i < all.length; ) {
      const s = process.hrtime.bigint();
      const end = Math.min(all.length, i + 25);
      db.transaction(() => {
        for (; i < end; i++) del.run(all[i], cut);
      })();
      steps.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    db.close();
    out.pruneStepMs = { steps: steps.length, max: round(Math.max(...steps), 1), p50: round(percentile(steps, 50), 1) };
    await h.stop();
    progress("health", `observe ${out.observeNsPerBeat} ns/beat, longest loop delay in the hand-over p99 ${out.handOverMsPerMinute.p99} ms, writer thread p99 ${out.writeMsPerMinute.p99} ms/minute, ${out.bytesPerPoint} B/point, ${out.bytesPerBoardPerDay} B/board/day, prune step max ${out.pruneStepMs.max} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // (b) the whole system with the history off, then on.
  out.system = [];
  for (const on of system ? [false, true] : []) {
    out.system.push(await systemRun({ ...system, serverEnv: { BBB_HEALTH_HISTORY: String(on) }, tag: on ? ", history on" : ", history off" }).then((r) => ({ history: on, ...r })));
  }
  return out;
}
