import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { connect, createServer, type AddressInfo } from "node:net";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
export const REPO = resolve(import.meta.dirname, "../../..");

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const haveMosquitto = existsSync(MOSQUITTO) && existsSync("/usr/bin/mosquitto_pub") && existsSync("/usr/bin/mosquitto_sub");
export const REDIS_SERVER = "/usr/bin/redis-server";

/** A port free right now on 127.0.0.1 (for programs that must be told a port before they start). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });
}

export async function untilListening(port: number, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await canConnect(port))) {
    if (Date.now() > until) throw new Error(`${what} did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A child process with its output kept (for the failure message) and a stop by its PID. */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM (or the signal given), then waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal and does not wait (SIGHUP: reload). */
  signal(signal: NodeJS.Signals): void;
}

export function startProc(cmd: string, args: string[], env: Record<string, string | undefined>): Proc {
  const child = spawn(cmd, args, { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return {
    child,
    output: () => out,
    signal(signal) {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, signal);
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(child.pid, signal);
      await exited;
    },
  };
}

/** Debian's mosquitto with the password and ACL files `bbbctl export mosquitto` wrote into dir. */
export async function startMosquitto(dir: string, port: number): Promise<Proc> {
  const conf = join(dir, "mosquitto.conf");
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      // As whoever runs the test: started as root, mosquitto would switch to its own user,
      // which cannot read the test's private temp folder.
      `user ${userInfo().username}`,
      "allow_anonymous false",
      `password_file ${join(dir, "passwd")}`,
      `acl_file ${join(dir, "acl")}`,
      "persistence false",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "",
    ].join("\n"),
  );
  const p = startProc(MOSQUITTO, ["-c", conf], {});
  try {
    await untilListening(port, "mosquitto");
  } catch (e: unknown) {
    await p.stop();
    throw new Error(`${(e as Error).message}: ${p.output()}`);
  }
  return p;
}

/** The manager as its own process (BBB_ROLE=manager) against the broker at mqttUrl. */
export function startManagerProcess(env: Record<string, string>): Proc {
  return startProc(process.execPath, [join(REPO, "manager/dist/main.js")], { BBB_ROLE: "manager", BBB_BIND: "127.0.0.1", BBB_LOG_LEVEL: "warn", ...env });
}

/** bbbctl as a process; resolves with its exit code and output. */
export function bbbctl(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(REPO, "manager/dist/cli/main.js"), ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    c.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    c.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * mosquitto_pub / mosquitto_sub with their arguments; bounded by timeoutMs, or ended (SIGTERM)
 * as soon as its output satisfies `stopWhen`.
 */
export function mosquittoClient(
  tool: "mosquitto_pub" | "mosquitto_sub",
  args: string[],
  timeoutMs = 15_000,
  stopWhen?: (stdout: string) => boolean,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(`/usr/bin/${tool}`, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stopWhen?.(stdout) && c.exitCode === null && c.pid !== undefined) process.kill(c.pid, "SIGTERM");
    });
    c.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => c.exitCode === null && c.pid !== undefined && process.kill(c.pid, "SIGKILL"), timeoutMs);
    c.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls an async check every 200 ms until it gives a value; bounded by timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs: number, what: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
