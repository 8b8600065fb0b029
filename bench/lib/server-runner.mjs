import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { request, stop, waitOutput } from "./children.mjs";
import { trackChild } from "./children.mjs";
import { START_FLAGS } from "./node-flags.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SERVER_MAIN = join(ROOT, "manager", "dist", "main.js");

/**
 * BENCH_SERVER_MAIN=<file>: the server every phase runs, instead of this checkout's (a phase
 * without a reference mode run against the previous design, with --no-write).
 * BENCH_REFERENCE_ROOT=<dir>: a built checkout of the previous design (e.g. `git archive` of the
 * reference commit, built with `npx tsc -b`) whose server the system and restart phases run
 * beside this one, in the same run (and whose broker the broker phase runs as `ours-ref`).
 * Null when unset.
 */
export function referenceServer() {
  const root = process.env.BENCH_REFERENCE_ROOT;
  if (!root) return null;
  const main = join(root, "manager", "dist", "main.js");
  if (!existsSync(main)) throw new Error(`BENCH_REFERENCE_ROOT: ${main} not built`);
  const rev = spawnSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  return { main, label: process.env.BENCH_REFERENCE_LABEL ?? (rev.status === 0 ? rev.stdout.trim() : root) };
}
const PROBE = fileURLToPath(new URL("./server-probe.mjs", import.meta.url));

/** Whether this process may raise a child's open-file limit (needs CAP_SYS_RESOURCE). */
export function canRaiseNofile() {
  if (!existsSync("/usr/bin/prlimit")) return false;
  return spawnSync("/usr/bin/prlimit", ["--nofile=65536:65536", "--", "true"]).status === 0;
}

export const FLEET_SECRET = "bench-fleet-secret-0123456789abcdef";
export const ADMIN_PASSWORD = "bench-admin-password";

/**
 * The all-in-one server as users run it (`node manager/dist/main.js`, docs/protocol.md "Ports" and
 * settings" env), on free loopback ports with a temp data dir, with the measuring probe
 * preloaded. Its file-descriptor limit is raised for this process only (prlimit) so that
 * 20,000 boards fit.
 */
export async function startServer({ cpuProfDir, env = {}, broker, dataDir: reuse, main = process.env.BENCH_SERVER_MAIN ?? SERVER_MAIN } = {}) {
  if (!existsSync(main)) throw new Error(`${main} not built (npx tsc -b manager)`);
  // `reuse`: the data dir of a server killed before (the restart phase); removed by the last stop().
  const dataDir = reuse ?? mkdtempSync(join(tmpdir(), "bench-server-"));
  // An external broker (external-broker.mjs): started first, the manager then runs against it.
  const ext = broker ? await broker(dataDir) : null;
  env = { ...env, ...(ext?.env ?? {}) };
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server under test (exploring V8 settings).
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const nodeArgs = ["--max-old-space-size=4096", ...START_FLAGS, ...extra, "--import", PROBE];
  // A tier whose processes must each hold their share under the machine's limit keeps it (cluster-tier.mjs).
  const argv = !ext?.keepFileLimit && canRaiseNofile() ? ["/usr/bin/prlimit", "--nofile=65536:65536", "--", process.execPath, ...nodeArgs, main] : [process.execPath, ...nodeArgs, main];
  const child = spawn(argv[0], argv.slice(1), {
    cwd: dataDir,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: {
      ...process.env,
      BBB_MQTT_PORT: "0",
      BBB_HTTP_PORT: "0",
      BBB_CMD_PORT: "0",
      BBB_SFTP_PORT: "0",
      BBB_BIND: "127.0.0.1",
      BBB_DATA_DIR: dataDir,
      BBB_FLEET_SECRET: FLEET_SECRET,
      BBB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // BENCH_LOG_LEVEL: the server's log level for a diagnosis (with BENCH_SERVER_LOG).
      BBB_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
      ...env,
    },
  });
  trackChild(child, "server");
  child.stdoutText = "";
  // BENCH_SERVER_LOG=<file>: the server's whole output is appended there too (diagnostics,
  // e.g. with BENCH_SERVER_NODE_ARGS=--trace-gc).
  const logFile = process.env.BENCH_SERVER_LOG;
  child.stdout.on("data", (d) => {
    if (child.stdoutText.length < 1 << 20) child.stdoutText += d.toString();
    if (logFile) appendFileSync(logFile, d);
  });
  let m;
  try {
    m = await waitOutput(child, /MQTT\s+mqtt:\/\/127\.0\.0\.1:(\d+)/, 60_000, "server ready");
    // An external tier may need the manager before it serves everyone (the replicas of a
    // cluster take the manager's users).
    await ext?.ready?.();
  } catch (e) {
    await stop(child, 10_000);
    await ext?.stop();
    if (!reuse) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  // The banner goes to stdout or stderr depending on the version of main.ts: read both.
  const banner = `${child.stdoutText}\n${child.stderrText ?? ""}`;
  const http = (banner.match(/REST API\s+(http:\/\/\S+)/) ?? [])[1] ?? null;
  const url = { host: "127.0.0.1", port: Number(m[1]) };
  /** The processes of the system under test by name: the server, and the external broker's if any. */
  const processes = [{ name: ext ? "manager" : "server", pid: child.pid }, ...(ext ? (ext.processes ?? [{ name: "broker", pid: ext.pid }]) : [])];
  return {
    pid: child.pid,
    pids: processes.map((p) => p.pid),
    processes,
    child,
    dataDir,
    url,
    /** Where the generator's boards connect, and the measuring subscriber (an external tier may have several brokers). */
    boardUrls: ext?.boardUrls ?? [url],
    viewerUrl: ext?.viewerUrl ?? url,
    /** An external tier's own counters (`reset()` at the window's start, `read()` at its end), or null. */
    diagnostics: ext?.diagnostics ?? null,
    /** Null while every process of the system runs, else which one ended and why. */
    dead() {
      if (child.exitCode !== null || child.signalCode !== null) {
        const why = (child.stderrText ?? "").split("\n").find((l) => /Error/.test(l)) ?? `exit ${child.exitCode ?? child.signalCode}`;
        return `${processes[0].name}: ${why.trim()}`;
      }
      return ext?.dead?.() ?? null;
    },
    api: http,
    admin: { username: "admin", password: ADMIN_PASSWORD },
    window: (since) => request(child, { cmd: "probe-window", since }, 10_000),
    stats: () => request(child, { cmd: "probe-stats" }, 10_000),
    /** bbb_heartbeats_total of the server's own /metrics (a cross-check of the probe), or null. */
    async heartbeatsTotal() {
      if (!http) return null;
      try {
        const res = await fetch(http.replace(/\/api$/, "/metrics"), { signal: AbortSignal.timeout(5000) });
        const m = (await res.text()).match(/^bbb_heartbeats_total(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?)/m);
        return m ? Number(m[1]) : null;
      } catch {
        return null;
      }
    },
    profileStart: () => request(child, { cmd: "profile-start" }, 10_000),
    profileStop: (file) => request(child, { cmd: "profile-stop", file }, 30_000),
    async stop() {
      await stop(child, 10_000);
      await ext?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
