import { spawn } from "node:child_process";
import { scryptSync } from "node:crypto";
import { createTopics } from "@bbb/shared";
import { startAgent } from "../lib/agent-runner.mjs";
import { FLEET_SECRET } from "../lib/server-runner.mjs";
import { startControl } from "../lib/control-client.mjs";
import { boardId, nowMs } from "../lib/payloads.mjs";
import { sleep, trackChild } from "../lib/children.mjs";
import { summarize, round } from "../lib/stats.mjs";
import { progress } from "../lib/progress.mjs";
import { assertServerAlive, largestThatCompletes, startLargest, startSystem } from "../lib/system-run.mjs";

const topics = createTopics("bbb");

/** What one password check of a user costs here (broker/src/password-hash.ts: scrypt N=2^15, r=8, p=1). */
function scryptCost() {
  const t = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    scryptSync("bench-admin-password", "0123456789abcdef", 32, { N: 32768, r: 8, p: 1, maxmem: 128 * 32768 * 8 * 2 });
    t.push(performance.now() - t0);
  }
  return summarize(t, 1);
}

/** `mosquitto_pub` as an operator runs it (docs/protocol.md §"Commands and results", ad-hoc use); resolves with its run time. */
function mosquittoPub(url, admin, topic, message) {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn("mosquitto_pub", ["-h", url.host, "-p", String(url.port), "-u", admin.username, "-P", admin.password, "-q", "1", "-t", topic, "-m", message], { stdio: ["ignore", "ignore", "pipe"] });
    trackChild(child, "mosquitto_pub");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(nowMs() - t0);
      else reject(new Error(`mosquitto_pub exited ${code}: ${child.stderrText ?? ""}`));
    });
  });
}

async function waitAccepted(sys, reqId, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = (await sys.sub.results([reqId]))[reqId];
    if (r?.first?.accepted) return r.first.accepted;
    await sleep(20);
  }
  return null;
}

/**
 * Figure 4 under N-board load: `mosquitto_pub` → `accepted` round trip (to a real agent
 * process and to generated boards), and a bulk reboot of 600 boards through the manager's
 * `hosts.command` (MQTT request/response) until all 600 outcomes are in.
 */
export async function runCommandsPhase(opts) {
  return largestThatCompletes("commands", opts.boards, (n) => commandsAt({ ...opts, boards: n }));
}

async function commandsAt({ boards, commands, bulk, warmupS, connectsPerSec, workers }) {
  const label = `${boards} boards`;
  progress("commands", `${label}: starting the server and the generator`);
  // Every board answers commands; the first 1,200 are addressed (two disjoint bulk runs of 600).
  const responders = Math.min(boards, 1200);
  const sys = await startLargest(boards, (n) => startSystem({ boards: n, workers, connectsPerSec, phase: "commands", label: `${n} boards`, respond: true, responders }), "commands");
  let agent = null;
  let ctl = null;
  try {
    agent = await startAgent({ url: sys.server.url, secret: FLEET_SECRET }).catch((e) => {
      progress("commands", `real agent not available: ${e?.message ?? e}`);
      return null;
    });
    ctl = await startControl({ url: sys.server.url, ...sys.server.admin });
    progress("commands", `${label}: ${sys.connected} connected; warm-up ${warmupS} s`);
    await sleep(warmupS * 1000);
    const rtt = { agent: [], generated: [], connected: [] };
    const pubRuntime = [];
    let lost = 0;
    for (let k = 0; k < commands; k++) {
      assertServerAlive(sys);
      if (k >= 4 && lost >= k) throw new Error(`no command was answered (${lost} of ${k * 2})`);
      const toAgent = agent && k % 2 === 0;
      const id = toAgent ? agent.boardId : boardId("be", (k * 37) % responders);
      const reqId = `bench-rtt-${process.pid}-${k}`;
      const t0 = nowMs();
      pubRuntime.push(await mosquittoPub(sys.server.url, sys.server.admin, topics.cmd(id, "ping"), JSON.stringify({ id: reqId })));
      const tA = await waitAccepted(sys, reqId, 5000);
      if (tA === null) lost++;
      else (toAgent ? rtt.agent : rtt.generated).push(tA - t0);
      // The same command from an operator client that is already connected: no CONNECT, no
      // password check, so this is the command path alone.
      const reqId2 = `bench-rtt-c-${process.pid}-${k}`;
      const t1 = nowMs();
      await ctl.publish(topics.cmd(id, "ping"), JSON.stringify({ id: reqId2 }));
      const tB = await waitAccepted(sys, reqId2, 5000);
      if (tB === null) lost++;
      else rtt.connected.push(tB - t1);
      if (k % 10 === 9) progress("commands", `${label}: ${k + 1}/${commands} round trips`);
      await sleep(100);
    }
    assertServerAlive(sys);
    const bulkRuns = [];
    for (const [i, options] of bulk.entries()) {
      const ids = Array.from({ length: 600 }, (_, j) => boardId("be", (i * 600 + j) % responders));
      progress("commands", `${label}: bulk reboot of 600 boards (options ${JSON.stringify(options)})`);
      const t0 = nowMs();
      const res = await ctl.call("hosts.command", { target: { ids }, action: "reboot", options }, 120_000);
      const elapsed = res.receivedAt - t0;
      const counts = res.status === "ok" ? res.data?.counts : null;
      bulkRuns.push({ options, elapsedMs: round(elapsed, 1), status: res.status, counts, error: res.error ?? null, outcomes: res.data?.outcomes?.length ?? null });
      progress("commands", `${label}: bulk reboot: ${res.status} in ${round(elapsed, 0)} ms, ${JSON.stringify(counts ?? res.error)}`);
    }
    assertServerAlive(sys);
    return {
      boards: sys.boards,
      requested: boards,
      tried: sys.tried,
      connected: sys.connected,
      realAgent: Boolean(agent),
      mosquittoPubToAcceptedMs: { agent: summarize(rtt.agent, 1), generated: summarize(rtt.generated, 1), all: summarize([...rtt.agent, ...rtt.generated], 1) },
      mosquittoPubRuntimeMs: summarize(pubRuntime, 1),
      connectedClientToAcceptedMs: summarize(rtt.connected, 1),
      scryptVerifyMs: scryptCost(),
      unanswered: lost,
      bulkReboot: bulkRuns,
    };
  } finally {
    await ctl?.close().catch(() => {});
    await agent?.stop();
    await sys.close();
  }
}
