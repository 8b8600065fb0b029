import { startServer, referenceServer, ADMIN_PASSWORD } from "../lib/server-runner.mjs";
import { startSubscriber } from "../lib/subscriber.mjs";
import { startSystem } from "../lib/system-run.mjs";
import { nowMs } from "../lib/payloads.mjs";
import { keepLog, request, sleep, stop } from "../lib/children.mjs";
import { progress } from "../lib/progress.mjs";
import { round } from "../lib/stats.mjs";

const ALIVE = new Set(["online", "unregistered", "misconfigured"]);
/** The server's default grace for boards of the last run (docs/configuration.md restartGraceMs). */
const GRACE_MS = 60_000;

/**
 * State-change history entries to `lost` from `since` on (what webhooks and the event stream
 * saw): the boards, and how many of each reason. Paged with the `before` cursor: a restart of
 * 10,000 boards writes more entries than one page holds.
 */
async function lostInHistory(api, since) {
  if (!api) return null;
  const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;
  const ids = [];
  const reasons = {};
  let before = null;
  for (let page = 0; page < 100; page++) {
    const q = `kind=state-change&since=${Math.floor(since)}&limit=5000${before ? `&before=${before}` : ""}`;
    const res = await fetch(`${api}/history?${q}`, { headers: { authorization: auth }, signal: AbortSignal.timeout(20_000) });
    if (!res.ok) throw new Error(`GET /api/history: HTTP ${res.status}`);
    const body = await res.json();
    const items = body.items ?? body.data?.items ?? [];
    for (const e of items) {
      if (e.data?.to !== "lost") continue;
      ids.push(e.boardId);
      const why = e.data.reason ?? "none";
      reasons[why] = (reasons[why] ?? 0) + 1;
    }
    if (items.length < 5000) break;
    before = items[items.length - 1].id;
  }
  return { ids, reasons };
}

/** The last state of each board from the subscriber's transitions, and who awaits a reconnect. */
async function lastStates(sub) {
  const last = new Map();
  for (const x of await sub.transitions({})) last.set(x.id, x.state);
  return last;
}

/**
 * Server restart with N boards (docs/protocol.md §"Liveness"): the boards run and reconnect as
 * agents do (agent back-off: 500 ms doubling to 30 s, full jitter, same session); `victims` more
 * boards die while the server is down (true alarms). The all-in-one server is killed with SIGKILL
 * and started again on the same data dir and MQTT port. Measured: seconds from the kill until
 * every surviving board's registry/hosts view is alive again (online, unregistered or
 * misconfigured, no `awaiting-reconnect`); surviving boards shown `lost` meanwhile (false alarms)
 * and at the end, in the views and in the state-change history; victims reported `lost` once
 * the grace has passed.
 */
export async function runRestartPhase(opts) {
  const ref = referenceServer();
  const runs = [];
  // BENCH_REFERENCE_AGENT_TIMEOUTS=<tcp ms>,<CONNACK ms>: the reference build's boards give up
  // an attempt as its agents did (e.g. 10000,10000 before the TCP and CONNACK timeouts split).
  const [tcpMs, connackMs] = (process.env.BENCH_REFERENCE_AGENT_TIMEOUTS ?? "").split(",").map(Number);
  const refTimeouts = tcpMs > 0 && connackMs > 0 ? { tcpMs, connackMs } : null;
  const designs = ref ? [{ design: `reference ${ref.label}`, main: ref.main, connectTimeouts: refTimeouts }, { design: "this build" }] : [{ design: null }];
  const repeats = Math.max(1, opts.repeats ?? 1);
  for (let round = 1; round <= repeats; round++) {
    for (const d of designs) {
      try {
        const tag = `${d.design ? ` (${d.design})` : ""}${repeats > 1 ? `, run ${round} of ${repeats}` : ""}`;
        runs.push({ design: d.design, round, ...(d.connectTimeouts ? { agentTimeouts: d.connectTimeouts } : {}), ...(await restartAt({ ...opts, main: d.main, connectTimeouts: d.connectTimeouts, tag })) });
      } catch (e) {
        progress("restart", `failed: ${e?.message ?? e}`);
        runs.push({ design: d.design, round, boards: opts.boards, error: String(e?.message ?? e) });
      }
    }
  }
  return { runs, graceMs: GRACE_MS };
}

async function restartAt({ boards, victims: nVictims, warmupS, timeoutS, connectsPerSec, workers, main, connectTimeouts, tag }) {
  const label = `${boards} boards${tag}`;
  const sys = await startSystem({ boards, workers, connectsPerSec, phase: "restart", label, reconnect: "backoff", connectTimeouts, ...(main ? { serverMain: main } : {}) });
  let server2 = null;
  let sub2 = null;
  let tSpawn = 0;
  let exitS = null;
  try {
    const vproc = await sys.load.addGroup(nVictims, 0x200000, "dv");
    for (let i = 0; i < 300 && (await request(vproc, { cmd: "counts" })).connected < nVictims; i++) await sleep(200);
    const victims = new Set((await request(vproc, { cmd: "ids" })).ids);
    progress("restart", `${label}: ${sys.connected} + ${victims.size} victims connected; warm-up ${warmupS} s`);
    await sleep(warmupS * 1000);
    const port = sys.server.url.port;
    const dataDir = sys.server.dataDir;
    await sys.sub.close();
    const tKill = nowMs();
    process.kill(sys.server.pid, "SIGKILL");
    await new Promise((r) => (sys.server.child.exitCode !== null || sys.server.child.signalCode !== null ? r() : sys.server.child.once("exit", r)));
    const tExit = nowMs();
    // The victims die while the server is down: they never come back.
    await stop(vproc, 0);
    progress("restart", `${label}: server killed; starting it again on port ${port}`);
    tSpawn = nowMs();
    progress("restart", `${label}: killed process gone after ${round((tExit - tKill) / 1000, 1)} s; new server spawned ${round((tSpawn - tKill) / 1000, 1)} s after the kill (epoch ms ${Date.now()})`);
    exitS = round((tExit - tKill) / 1000, 1);
    server2 = await startServer({ dataDir, env: { BBB_MQTT_PORT: String(port) }, ...(main ? { main } : {}) });
    const tUp = nowMs();
    sub2 = await startSubscriber({ url: server2.url, filters: ["bbb/registry/hosts/+"], ...server2.admin, clientId: `bench-sub2-${process.pid}` });
    let tAll = null;
    for (const deadline = tKill + timeoutS * 1000; nowMs() < deadline; await sleep(500)) {
      const st = await sub2.stats();
      const alive = await sub2.countIn([...ALIVE], [...victims]);
      const awaiting = st.states["awaiting-reconnect"] ?? 0;
      const c = await sys.load.counts();
      // Victims may still await (until the grace ends): only the survivors must be back.
      // The boards that were connected before the kill (all of them, unless the ramp fell short).
      if (alive >= sys.connected && awaiting <= victims.size && c.connected >= sys.connected) {
        tAll = nowMs();
        break;
      }
      progress("restart", `${label}: ${round((nowMs() - tKill) / 1000, 1)} s after the kill: ${c.connected} connected, ${alive} alive in registry/hosts, ${awaiting} awaiting`);
    }
    progress("restart", `${label}: every board alive ${tAll ? `${round((tAll - tKill) / 1000, 1)} s after the kill` : "not within the time limit"}; waiting for the grace to end`);
    await sleep(Math.max(5000, tUp + GRACE_MS + 5000 - nowMs()));
    const trs = await sub2.transitions({ state: "lost" });
    const last = await lastStates(sub2);
    const st = await sub2.stats();
    const history = await lostInHistory(server2.api, tKill);
    const survivors = (ids) => ids.filter((id) => !victims.has(id));
    const res = {
      boards: sys.connected,
      requested: boards,
      victims: victims.size,
      restartS: round((tUp - tKill) / 1000, 1),
      // Where the restart's seconds went: the killed process gone, and the new one started.
      exitS,
      spawnS: round((tSpawn - tKill) / 1000, 1),
      allAliveS: tAll ? round((tAll - tKill) / 1000, 1) : null,
      allAliveAfterUpS: tAll ? round((tAll - tUp) / 1000, 1) : null,
      timeoutS,
      lostFlashed: new Set(survivors(trs.map((x) => x.id))).size,
      lostAtEnd: survivors([...last].filter(([, s]) => s === "lost").map(([id]) => id)).length,
      historyLostSinceKill: history ? new Set(survivors(history.ids)).size : null,
      // Why the registry said `lost` (will, heartbeat-timeout, not-reconnected), victims included.
      historyLostReasons: history?.reasons ?? null,
      victimsLostAtEnd: [...victims].filter((id) => last.get(id) === "lost").length,
      victimsLostInHistory: history ? new Set(history.ids.filter((id) => victims.has(id))).size : null,
      awaitingAtEnd: st.states["awaiting-reconnect"] ?? 0,
      statesAtEnd: st.states,
    };
    progress("restart", `${label}: ${JSON.stringify(res)}`);
    return res;
  } finally {
    await sub2?.close();
    await sys.load.close();
    // BENCH_KEEP_LOGS: the restarted server's log (its start-up phases have timestamps).
    if (server2) keepLog(`restarted-server-${server2.pid}`, server2.child);
    if (server2) await server2.stop();
    else await sys.server.stop();
  }
}
