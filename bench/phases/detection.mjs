import { forkHelper, request, sleep, stop } from "../lib/children.mjs";
import { nowMs } from "../lib/payloads.mjs";
import { summarize } from "../lib/stats.mjs";
import { progress } from "../lib/progress.mjs";
import { assertServerAlive, largestThatCompletes, startLargest, startSystem } from "../lib/system-run.mjs";

/**
 * Figure 3: death detection with N boards running. Victim boards live in processes of their
 * own: `kill -9` of such a process closes its sockets in the kernel (no DISCONNECT, so the
 * broker sends every board's will); SIGSTOP leaves the sockets open and silent (the manager
 * must notice three missed beats, or the broker 1.5 × keepalive). Time = signal → the board's
 * registry/hosts view saying `lost`.
 */
async function victims(sys, count, from, prefix) {
  const child = await sys.load.addGroup(count, from, prefix);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = await request(child, { cmd: "counts" });
    if (c.connected >= count || Date.now() > deadline) break;
    await sleep(200);
  }
  const { ids } = await request(child, { cmd: "ids" });
  return { child, ids };
}

async function waitLost(sys, ids, after, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let tr = [];
  while (Date.now() < deadline) {
    tr = await sys.sub.transitions({ ids, state: "lost", after });
    if (new Set(tr.map((x) => x.id)).size >= ids.length) break;
    await sleep(250);
  }
  const first = new Map();
  for (const x of tr) if (!first.has(x.id)) first.set(x.id, x.t - after);
  return { times: [...first.values()], missing: ids.length - first.size };
}

/** The largest board count whose whole detection run completes (the server may die under load). */
export async function runDetectionPhase(opts) {
  return largestThatCompletes("detection", opts.boards, (n) => detectionAt({ ...opts, boards: n }));
}

async function detectionAt({ boards, victimsPerTest, rounds, warmupS, connectsPerSec, workers }) {
  const label = `${boards} boards`;
  progress("detection", `${label}: starting the server and the generator`);
  const sys = await startLargest(boards, (n) => startSystem({ boards: n, workers, connectsPerSec, phase: "detection", label: `${n} boards` }), "detection");
  const crash = [];
  const freeze = [];
  let missingCrash = 0;
  let missingFreeze = 0;
  try {
    progress("detection", `${label}: ${sys.connected} connected; warm-up ${warmupS} s`);
    await sleep(warmupS * 1000);
    for (let r = 0; r < rounds; r++) {
      // Distinct id ranges per round: a fresh board is never confused with an earlier victim.
      const base = 0x100000 + r * 0x1000;
      assertServerAlive(sys);
      const a = await victims(sys, victimsPerTest, base, "dd");
      const b = await victims(sys, victimsPerTest, base + 0x800, "dd");
      assertServerAlive(sys);
      if (a.ids.length < victimsPerTest * 0.9 || b.ids.length < victimsPerTest * 0.9) throw new Error(`victim boards could not connect (${a.ids.length}, ${b.ids.length} of ${victimsPerTest})`);
      await sleep(3000);
      progress("detection", `${label}: round ${r + 1}/${rounds}: kill -9 of a process with ${a.ids.length} boards`);
      const tKill = nowMs();
      process.kill(a.child.pid, "SIGKILL");
      const k = await waitLost(sys, a.ids, tKill, 15_000);
      crash.push(...k.times);
      missingCrash += k.missing;
      progress("detection", `${label}: round ${r + 1}/${rounds}: crash → lost p50 ${summarize(k.times).p50} ms, p99 ${summarize(k.times).p99} ms, missing ${k.missing}`);
      progress("detection", `${label}: round ${r + 1}/${rounds}: SIGSTOP of a process with ${b.ids.length} boards`);
      const tStop = nowMs();
      process.kill(b.child.pid, "SIGSTOP");
      const f = await waitLost(sys, b.ids, tStop, 20_000);
      freeze.push(...f.times);
      missingFreeze += f.missing;
      progress("detection", `${label}: round ${r + 1}/${rounds}: freeze → lost p50 ${summarize(f.times).p50} ms, p99 ${summarize(f.times).p99} ms, missing ${f.missing}`);
      await stop(b.child);
    }
    assertServerAlive(sys);
    const st = await sys.sub.stats();
    return { boards: sys.boards, requested: boards, tried: sys.tried, connected: sys.connected, victimsPerTest, rounds, crashToLostMs: summarize(crash, 1), freezeToLostMs: summarize(freeze, 1), missingCrash, missingFreeze, registryStates: st.states };
  } finally {
    await sys.close();
  }
}
