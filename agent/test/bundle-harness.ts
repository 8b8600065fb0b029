import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import { createTopics, decodePayload, heartbeatSchema, resultSchema, statusSchema } from "@bbb/shared";
import { createFakeRoot, type FakeRoot } from "../src/sim/index.js";

// Shared by bundle-smoke.test.ts (this machine's node) and bundle-armhf.test.ts (Debian 12's
// armhf node under qemu): the bundled agent copied alone into an empty folder, run against a
// real Aedes broker that checks the board's credentials, observed by a real MQTT.js client.
export const agentDir = resolve(import.meta.dirname, "..");
const topics = createTopics("bbb");
const TOKEN = "bundle-test-token-0123456789";

/**
 * The node flags and environment the systemd unit starts the bundle with (ExecStart= words
 * between @NODE@ and the program; Environment= pairs but the config path), read from
 * packaging/bbb-agent.service.in so that every bundle run here is the agent as shipped, on
 * this machine's node and on Debian 12's armhf Node 18 alike.
 */
export function unitNodeSetup(): { nodeArgs: string[]; env: Record<string, string> } {
  const lines = readFileSync(join(agentDir, "packaging", "bbb-agent.service.in"), "utf8").split("\n");
  const words = (v: string) => [...v.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
  const exec = words(lines.find((l) => l.startsWith("ExecStart="))?.slice("ExecStart=".length) ?? "");
  const program = exec.findIndex((w) => w.endsWith("/bbb-agent.cjs"));
  if (exec[0] !== "@NODE@" || program < 0) throw new Error("bbb-agent.service.in: ExecStart= is not @NODE@ <flags> <bundle>");
  const env: Record<string, string> = {};
  for (const l of lines.filter((x) => x.startsWith("Environment="))) {
    for (const w of words(l.slice("Environment=".length))) {
      const eq = w.indexOf("=");
      if (eq > 0 && w.slice(0, eq) !== "BBB_AGENT_CONFIG") env[w.slice(0, eq)] = w.slice(eq + 1);
    }
  }
  return { nodeArgs: exec.slice(1, program), env };
}

/** Builds the bundle into a fresh temp folder with the real script; returns its path and output. */
export function buildBundle(): { dir: string; file: string; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), "bbb-bundle-"));
  const r = spawnSync(process.execPath, [join(agentDir, "scripts", "bundle.mjs"), "--outdir", dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bundle.mjs exited ${r.status}: ${r.stderr}`);
  return { dir, file: join(dir, "bbb-agent.cjs"), stdout: r.stdout };
}

export interface BundleRun {
  arch: string;
  /** ms from spawn to the first heartbeat on the broker. */
  firstHeartbeatMs: number;
  heartbeats: number;
  seqs: number[];
  session: string;
  /** Session of the retained `offline` after SIGTERM; null when the agent never connected. */
  offlineSession: string | null;
  exitCode: number | null;
  /** VmRSS of the process (kB) after the heartbeats, null if /proc has no such file. */
  rssKb: number | null;
  /** User + system CPU ticks (1/100 s) used between the first and the last observed heartbeat. */
  cpuTicks: number | null;
  windowMs: number;
  stderr: string;
  errorLogs: string[];
  credentialsSeen: { username: string; password: string; clientId: string } | null;
  /** The agent's JSON log lines. */
  logs: string[];
  /** Final status of each command sent (RunOptions.commands), by action. */
  results: Record<string, string>;
  /** The fake root's /etc/hostname when the agent had stopped. */
  hostnameAfter: string | null;
  /** argv of the programs the agent ran that are recorded instead (`hostname`), one per line. */
  recorded: string[];
}

export interface RunOptions {
  /** Heartbeats to wait for; 0 = wait `timeoutMs` and expect none (e.g. a refused server). */
  beats: number;
  timeoutMs: number;
  /** Serve MQTTS with this certificate instead of plain MQTT; the agent gets caFile. */
  tls?: { key: Buffer; cert: Buffer; caFile: string; host: string };
  /** Commands sent once the heartbeats arrived; each must reach a final result. */
  commands?: { action: string; args: Record<string, unknown> }[];
  /** Extra environment for the agent (e.g. NOTIFY_SOCKET). */
  env?: Record<string, string>;
}

/**
 * Programs that would change this machine are recorded instead: the agent's children run on
 * the host (also under qemu-arm), so a set-hostname must not reach the real `hostname`.
 */
function recordingBin(board: string): { dir: string; log: string } {
  const dir = join(board, "bin");
  const log = join(board, "recorded.log");
  mkdirSync(dir);
  for (const name of ["hostname", "hostnamectl", "systemctl", "reboot"]) {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return { dir, log };
}

function procStat(pid: number): { rssKb: number | null; ticks: number | null } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { rssKb: rss ? Number(rss[1]) : null, ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return { rssKb: null, ticks: null };
  }
}

/**
 * Runs `<node> <unit's flags> bbb-agent.cjs` (with the unit's environment) from an empty folder
 * until `beats` heartbeats arrived, then SIGTERMs it and waits for its exit and the retained
 * `offline`. `node` is argv, e.g. [process.execPath] or ["/tmp/armhf-node/bin/node-armhf"].
 */
export async function runBundle(bundle: string, node: string[], opts: RunOptions): Promise<BundleRun> {
  const board = mkdtempSync(join(tmpdir(), "bbb-board-"));
  const aedes = await Aedes.createBroker();
  let credentialsSeen: BundleRun["credentialsSeen"] = null;
  aedes.authenticate = (client, username, password, done) => {
    if (!client.id.startsWith("bundle-")) {
      credentialsSeen = { username: username ?? "", password: password?.toString() ?? "", clientId: client.id };
    }
    done(null, username === client.id && password?.toString() === TOKEN);
  };
  const plain = net.createServer({ noDelay: true }, aedes.handle);
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  // Observers always use the plain port; the agent uses MQTTS when opts.tls is given.
  const url = `mqtt://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  const secure = opts.tls ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, aedes.handle) : null;
  if (secure) await new Promise<void>((r) => secure.listen(0, "127.0.0.1", r));
  const agentUrl = secure && opts.tls ? `mqtts://${opts.tls.host}:${(secure.address() as AddressInfo).port}` : url;
  let fake: FakeRoot | null = null;
  let observer: mqtt.MqttClient | null = null;
  let child: ReturnType<typeof spawn> | null = null;
  try {
    fake = await createFakeRoot({ index: 7 });
    const id = fake.boardId;
    // The board folder holds only the bundle (and its map): no node_modules anywhere above it.
    copyFileSync(bundle, join(board, "bbb-agent.cjs"));
    copyFileSync(`${bundle}.map`, join(board, "bbb-agent.cjs.map"));
    writeFileSync(
      join(board, "config.json"),
      JSON.stringify({ mqttUrls: [agentUrl], token: TOKEN, services: [], ...(opts.tls ? { caFile: opts.tls.caFile } : {}) }),
    );

    // Observers log in with their client id as username, which the hook above accepts too.
    observer = await mqtt.connectAsync(url, { clientId: "bundle-observer", username: "bundle-observer", password: TOKEN, reconnectPeriod: 0 });
    const beats: { seq: number; session: string; at: number }[] = [];
    const statuses: { state: string; session: string; retain: boolean }[] = [];
    observer.on("message", (topic, payload, packet) => {
      if (topic === topics.heartbeat(id)) {
        const hb = decodePayload(heartbeatSchema, payload, 1024);
        if (hb.ok) beats.push({ seq: hb.value.seq, session: hb.value.session, at: Date.now() });
      } else if (topic === topics.status(id)) {
        const st = decodePayload(statusSchema, payload, 1024);
        if (st.ok) statuses.push({ state: st.value.state, session: st.value.session, retain: packet.retain });
      }
    });
    await observer.subscribeAsync([topics.heartbeat(id), topics.status(id)], { qos: 1 });

    const bin = recordingBin(board);
    const started = Date.now();
    const unit = unitNodeSetup();
    const proc = spawn(node[0]!, [...node.slice(1), ...unit.nodeArgs, "bbb-agent.cjs"], {
      cwd: board,
      env: {
        ...unit.env,
        PATH: `${bin.dir}:${process.env.PATH ?? ""}`,
        ...opts.env,
        BBB_AGENT_CONFIG: join(board, "config.json"),
        BBB_ROOT_PREFIX: fake.root,
        BBB_STATE_DIR: fake.stateDir,
        BBB_HEARTBEAT_MS: "250",
        BBB_LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));

    const deadline = started + opts.timeoutMs;
    let first: ReturnType<typeof procStat> | null = null;
    let firstAt = 0;
    while (opts.beats === 0 ? Date.now() < deadline && proc.exitCode === null : beats.length < opts.beats) {
      if (opts.beats > 0 && (Date.now() > deadline || proc.exitCode !== null)) {
        throw new Error(`${beats.length}/${opts.beats} heartbeats (exit ${proc.exitCode}); stderr: ${stderr.slice(-2000)} stdout: ${stdout.slice(-2000)}`);
      }
      if (beats.length >= 1 && first === null) {
        first = procStat(proc.pid!);
        firstAt = Date.now();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const results: Record<string, string> = {};
    const finals = new Set(["succeeded", "failed", "rejected", "expired"]);
    observer.on("message", (topic, payload) => {
      const m = /\/result\/(.+)$/.exec(topic);
      const r = m ? decodePayload(resultSchema, payload, 65536) : null;
      if (r?.ok && finals.has(r.value.status)) results[r.value.action] = r.value.status;
    });
    if (opts.commands?.length) await observer.subscribeAsync(topics.result(id, "+"), { qos: 1 });
    for (const [i, c] of (opts.commands ?? []).entries()) {
      await observer.publishAsync(topics.cmd(id, c.action), JSON.stringify({ id: `bundle-${i}`, args: c.args }), { qos: 1 });
      while (results[c.action] === undefined) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`no result for ${c.action}; stdout: ${stdout.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const last = procStat(proc.pid!);
    const windowMs = firstAt === 0 ? 0 : Date.now() - firstAt;
    const session = beats[0]?.session ?? "";
    proc.kill("SIGTERM");
    const exitCode = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), opts.timeoutMs))]);

    // A new subscriber sees the retained status: the clean stop left `offline`.
    const late = await mqtt.connectAsync(url, { clientId: "bundle-late", username: "bundle-late", password: TOKEN, reconnectPeriod: 0 });
    const retained = await new Promise<{ state: string; session: string } | null>((done) => {
      const t = setTimeout(() => done(null), beats.length > 0 ? 5000 : 500);
      late.on("message", (_t, payload) => {
        const st = decodePayload(statusSchema, payload, 1024);
        if (st.ok) {
          clearTimeout(t);
          done(st.value);
        }
      });
      void late.subscribeAsync(topics.status(id), { qos: 1 });
    });
    await late.endAsync(true);
    if (retained !== null && retained.state !== "offline") throw new Error(`retained status is ${retained.state}, not offline`);

    const logs = stdout.split("\n").filter((l) => l.trim() !== "");
    const errorLogs = logs.filter((l) => {
      try {
        return (JSON.parse(l) as { level?: number }).level! >= 50;
      } catch {
        return true; // the agent logs JSON lines only
      }
    });
    const hostFile = join(fake.root, "etc", "hostname");
    const hostnameAfter = existsSync(hostFile) ? readFileSync(hostFile, "utf8").trim() : null;
    const recorded = existsSync(bin.log) ? readFileSync(bin.log, "utf8").split("\n").filter((l) => l !== "") : [];
    const archLine = spawnSync(node[0]!, [...node.slice(1), "-p", "process.arch"], { encoding: "utf8" });
    return {
      arch: archLine.stdout.trim(),
      firstHeartbeatMs: beats.length > 0 ? beats[0]!.at - started : -1,
      heartbeats: beats.length,
      seqs: beats.map((b) => b.seq),
      session,
      offlineSession: retained?.session ?? null,
      exitCode,
      rssKb: last.rssKb,
      cpuTicks: first?.ticks !== null && first !== null && last.ticks !== null ? last.ticks - first.ticks : null,
      windowMs,
      stderr,
      errorLogs,
      credentialsSeen,
      logs,
      results,
      hostnameAfter,
      recorded,
    };
  } finally {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await observer?.endAsync(true);
    await new Promise<void>((r) => plain.close(() => r()));
    if (secure) await new Promise<void>((r) => secure.close(() => r()));
    await new Promise<void>((r) => aedes.close(() => r()));
    await fake?.cleanup();
    rmSync(board, { recursive: true, force: true });
  }
}
