#!/usr/bin/env node
import { fork, type ChildProcess } from "node:child_process";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { faultKinds, type FaultKind, type FromWorker, type ToWorker, type WorkerProgress } from "./protocol.js";

/**
 * Fleet simulator: `npm run sim -- --boards N --rate 1 [--workers W] [--url mqtt://...] [--secret S]`.
 * N boards (each a real createAgent over a fake root and a recording exec) in W worker processes,
 * ramped at --ramp connects/s. Faults: --kill/--freeze/--flap K after the ramp; at run time
 * SIGUSR1 kills one board, SIGUSR2 freezes one, and stdin lines `kill K`, `freeze K`, `flap K`,
 * `thaw`, `revive`, `steady`, `status` act on the running fleet.
 */
const USAGE = `usage: bbb-sim --boards N [--rate HZ] [--workers W] [--url mqtt://host:1883[,url2]] [--secret S]
               [--ramp CONNECTS_PER_S] [--kill K] [--freeze K] [--flap K] [--flap-ms MS]
               [--first-index I] [--topic-root bbb] [--dir PATH]`;

function parse() {
  const { values } = parseArgs({
    options: {
      boards: { type: "string", default: "10" },
      rate: { type: "string", default: "1" },
      workers: { type: "string" },
      url: { type: "string", default: "mqtt://127.0.0.1:1883" },
      secret: { type: "string" },
      ramp: { type: "string", default: "200" },
      kill: { type: "string", default: "0" },
      freeze: { type: "string", default: "0" },
      flap: { type: "string", default: "0" },
      "flap-ms": { type: "string", default: "4000" },
      "first-index": { type: "string", default: "1" },
      "topic-root": { type: "string", default: "bbb" },
      dir: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  const num = (k: keyof typeof values, min: number) => {
    const n = Number(values[k]);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${k} must be a number >= ${min}`);
    return n;
  };
  const boards = Math.floor(num("boards", 1));
  return {
    help: values.help,
    boards,
    heartbeatMs: Math.max(100, Math.round(1000 / num("rate", 0.001))),
    workers: Math.min(
      boards,
      Math.floor(
        values.workers ? num("workers", 1) : Math.max(1, Math.min(os.availableParallelism(), Math.ceil(boards / 300))),
      ),
    ),
    urls: (values.url ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    // The fleet secret may come from the environment instead of the command line (ps shows argv).
    secret: values.secret ?? process.env.BBB_FLEET_SECRET,
    ramp: num("ramp", 1),
    faults: {
      kill: Math.floor(num("kill", 0)),
      freeze: Math.floor(num("freeze", 0)),
      flap: Math.floor(num("flap", 0)),
    },
    flapMs: Math.floor(num("flap-ms", 500)),
    firstIndex: Math.floor(num("first-index", 0)),
    topicRoot: values["topic-root"] ?? "bbb",
    dir: values.dir,
  };
}

async function main() {
  let o;
  try {
    o = parse();
  } catch (e: unknown) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exit(2);
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dir = o.dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-sim-")));
  const workerJs = path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.js");
  const progress = new Map<ChildProcess, WorkerProgress>();
  const workers: ChildProcess[] = [];
  for (let w = 0; w < o.workers; w++) {
    const indices: number[] = [];
    for (let i = w; i < o.boards; i += o.workers) indices.push(o.firstIndex + i);
    const child = fork(workerJs, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.on("message", (m: FromWorker) => {
      if (m.type === "progress") progress.set(child, m);
      if (m.type === "fault-done" && m.ids.length) console.log(`${m.kind}: ${m.ids.join(" ")}`);
    });
    const init: ToWorker = {
      type: "init",
      indices,
      dir,
      urls: o.urls,
      heartbeatMs: o.heartbeatMs,
      topicRoot: o.topicRoot,
      secret: o.secret,
      rampPerSec: o.ramp / o.workers,
      flapMs: o.flapMs,
    };
    child.send(init);
    workers.push(child);
  }
  const sum = () => {
    const t = { started: 0, connected: 0, killed: 0, frozen: 0, flapping: 0 };
    for (const p of progress.values()) for (const k of Object.keys(t) as Array<keyof typeof t>) t[k] += p[k];
    return t;
  };
  const line = () => {
    const s = sum();
    return `boards ${o.boards}: started ${s.started}, connected ${s.connected}, killed ${s.killed}, frozen ${s.frozen}, flapping ${s.flapping}`;
  };
  /** Spreads K faults over the workers. */
  const fault = (kind: FaultKind, count: number) => {
    workers.forEach((w, i) => {
      const share = Math.floor(count / workers.length) + (i < count % workers.length ? 1 : 0);
      if (share > 0 || ["thaw", "revive", "steady"].includes(kind))
        w.send({ type: "fault", kind, count: share } satisfies ToWorker);
    });
  };

  console.log(
    `simulating ${o.boards} boards in ${o.workers} workers, heartbeat ${o.heartbeatMs} ms, ramp ${o.ramp}/s, broker ${o.urls.join(",")}, fake roots in ${dir}`,
  );
  const ramp = setInterval(() => {
    const s = sum();
    console.log(`ramp: ${line()}`);
    if (s.started >= o.boards && s.connected >= o.boards) {
      clearInterval(ramp);
      console.log("ramp done");
      if (o.faults.kill) fault("kill", o.faults.kill);
      if (o.faults.freeze) fault("freeze", o.faults.freeze);
      if (o.faults.flap) fault("flap", o.faults.flap);
    }
  }, 1000);

  const report = setInterval(() => {
    if (sum().started >= o.boards) console.log(line());
  }, 10_000);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(ramp);
    clearInterval(report);
    console.log("stopping the simulated boards");
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null) return resolve();
            w.once("exit", () => resolve());
            w.send({ type: "stop" } satisfies ToWorker);
          }),
      ),
    );
    if (!o.dir) await fsp.rm(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  process.on("SIGUSR1", () => fault("kill", 1));
  process.on("SIGUSR2", () => fault("freeze", 1));
  readline.createInterface({ input: process.stdin }).on("line", (l) => {
    const [cmd = "", n = "1"] = l.trim().split(/\s+/);
    if (cmd === "status") console.log(line());
    else if ((faultKinds as readonly string[]).includes(cmd)) fault(cmd as FaultKind, Math.max(0, Number(n) || 0));
    else if (cmd === "quit" || cmd === "stop") void stop();
    else if (cmd) console.log(`commands: status | kill K | freeze K | flap K | thaw | revive | steady | quit`);
  });
}

void main();
