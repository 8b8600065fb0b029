import { fork, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";

/**
 * Every process the benchmark starts is registered here and stopped by its PID, never by
 * name. `stopAll()` runs in the orchestrator's finally and on SIGINT.
 */
const live = new Map();

export function trackChild(child, name) {
  collectStderr(child, name);
  return track(child, name);
}

function track(child, name) {
  live.set(child.pid, { child, name });
  // A send on a closed channel must reject the request, not kill the benchmark.
  child.on("error", (err) => {
    if (process.env.BENCH_DEBUG) process.stderr.write(`[${name}] ${err.message}\n`);
  });
  child.once("exit", () => live.delete(child.pid));
  return child;
}

/** Forks one of our .mjs helpers with an IPC channel; stderr is kept for diagnostics. */
export function forkHelper(file, args = [], opts = {}) {
  const child = fork(file, args, {
    stdio: ["ignore", opts.stdout ?? "ignore", "pipe", "ipc"],
    execArgv: opts.execArgv ?? [],
    env: { ...process.env, ...(opts.env ?? {}) },
  });
  collectStderr(child, file);
  return track(child, file);
}

/** Spawns an outside program (mosquitto, redis-server, node main.js) with argv, no shell. */
export function spawnProgram(cmd, args, opts = {}) {
  const child = spawn(cmd, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...(opts.env ?? {}) },
    cwd: opts.cwd,
  });
  collectStderr(child, cmd);
  child.stdoutText = "";
  child.stdout.on("data", (d) => {
    // BENCH_KEEP_LOGS: whole logs are kept (up to 256 MiB) to be written out for a diagnosis.
    if (child.stdoutText.length < (process.env.BENCH_KEEP_LOGS ? 1 << 28 : 1 << 20)) child.stdoutText += d.toString();
  });
  return track(child, cmd);
}

function collectStderr(child, name) {
  child.stderrText = "";
  child.stderr?.on("data", (d) => {
    if (child.stderrText.length < 1 << 16) child.stderrText += d.toString();
  });
  child.once("exit", (code, signal) => {
    if (code && process.env.BENCH_DEBUG) process.stderr.write(`[${name} exited ${code ?? signal}] ${child.stderrText.slice(-2000)}\n`);
  });
}

/** Waits for an IPC message matching `pred`, bounded by `timeoutMs`. */
export function waitMessage(child, pred, timeoutMs, what = "message") {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timeout after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    const onMsg = (m) => {
      if (pred(m)) done(null, m);
    };
    const onExit = (code, sig) => done(new Error(`process exited (${code ?? sig}) while waiting for ${what}: ${(child.stderrText ?? "").slice(-1500)}`));
    function done(err, m) {
      clearTimeout(timer);
      child.off("message", onMsg);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(m);
    }
    child.on("message", onMsg);
    child.once("exit", onExit);
  });
}

/** Sends a request over IPC and waits for the reply carrying the same `rid`. */
let rid = 0;
export async function request(child, msg, timeoutMs = 30_000) {
  const id = ++rid;
  const p = waitMessage(child, (m) => m && m.rid === id, timeoutMs, `reply to ${msg.cmd}`);
  if (!child.connected) throw new Error(`${msg.cmd}: process ${child.pid} has no IPC channel (exited?): ${(child.stderrText ?? "").slice(-1500)}`);
  child.send({ ...msg, rid: id }, (err) => {
    if (err) child.emit("ipc-send-error", err);
  });
  return p;
}

/** Waits until a line of the child's stdout/stderr matches `re`; returns the match. */
export function waitOutput(child, re, timeoutMs, what = String(re)) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = (child.stdoutText ?? "").match(re) ?? (child.stderrText ?? "").match(re);
      if (m) {
        finish(null, m);
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => finish(new Error(`timeout after ${timeoutMs} ms waiting for ${what}; output: ${(child.stdoutText ?? "").slice(-1500)} ${(child.stderrText ?? "").slice(-1500)}`)), timeoutMs);
    const onData = () => check();
    const onExit = (code, sig) => finish(new Error(`process exited (${code ?? sig}) while waiting for ${what}: ${(child.stdoutText ?? "").slice(-1500)} ${(child.stderrText ?? "").slice(-1500)}`));
    function finish(err, m) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (err) reject(err);
      else resolve(m);
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
    if (!check()) return;
  });
}

/** Stops one process by PID: SIGTERM, then SIGKILL after `graceMs`. Also resumes a stopped one. */
export async function stop(child, graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(child.pid, "SIGCONT");
    process.kill(child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll() {
  await Promise.all([...live.values()].map(({ child }) => stop(child)));
}

export function liveCount() {
  return live.size;
}

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until 127.0.0.1:port accepts a TCP connection, bounded by `timeoutMs`. */
export async function waitPort(port, timeoutMs, child) {
  const { connect } = await import("node:net");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (child && child.exitCode !== null) throw new Error(`process exited (${child.exitCode}): ${(child.stderrText ?? "").slice(-1500)}`);
    if (Date.now() > deadline) throw new Error(`port ${port} not open after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** BENCH_KEEP_LOGS=<dir>: a process's output (up to 256 MiB, see trackChild) written there for a diagnosis. */
export function keepLog(name, child) {
  const dir = process.env.BENCH_KEEP_LOGS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.log`), `${child.stdoutText ?? ""}${child.stderrText ?? ""}`);
}
