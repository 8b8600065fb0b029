import { pino } from "pino";
import type { FaultKind, FromWorker, ToWorker, WorkerInit } from "./protocol.js";
import { createSimBoard, type SimBoard } from "./sim-board.js";

/**
 * A simulator worker process: runs its share of the simulated boards (each a real createAgent)
 * and applies faults on request from the supervisor over IPC.
 */
const log = pino({ level: "error" }, pino.destination(2));
const boards: SimBoard[] = [];
const flapping = new Set<SimBoard>();
let started = 0;
let total = 0;
let stopping = false;
let flapTimer: NodeJS.Timeout | null = null;
let progressTimer: NodeJS.Timeout | null = null;

const send = (m: FromWorker) => process.send?.(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function progress() {
  send({
    type: "progress",
    total,
    started,
    connected: boards.filter((b) => b.connected()).length,
    killed: boards.filter((b) => b.state() === "killed").length,
    frozen: boards.filter((b) => b.state() === "frozen").length,
    flapping: flapping.size,
  });
}

async function init(m: WorkerInit) {
  total = m.indices.length;
  progressTimer = setInterval(progress, 500);
  flapTimer = setInterval(() => flapping.forEach((b) => b.cut()), m.flapMs);
  // Ramp: at most rampPerSec connects per second, in small slices, so a broker is not stormed.
  const perSlice = Math.max(1, Math.round((m.rampPerSec * 50) / 1000));
  const intervalMs = (1000 * perSlice) / Math.max(0.1, m.rampPerSec);
  for (let i = 0; i < m.indices.length && !stopping; i += perSlice) {
    const t0 = Date.now();
    await Promise.all(
      m.indices.slice(i, i + perSlice).map(async (index) => {
        const b = await createSimBoard({
          index,
          dir: m.dir,
          urls: m.urls,
          heartbeatMs: m.heartbeatMs,
          topicRoot: m.topicRoot,
          secret: m.secret,
          log,
        });
        boards.push(b);
        await b.start();
        started++;
      }),
    );
    await sleep(Math.max(0, intervalMs - (Date.now() - t0)));
  }
  progress();
}

function pick(count: number, pred: (b: SimBoard) => boolean): SimBoard[] {
  const pool = boards.filter(pred);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [pool[i], pool[j]] = [pool[j] as SimBoard, pool[i] as SimBoard];
  }
  return pool.slice(0, count);
}

async function fault(kind: FaultKind, count: number) {
  const healthy = (b: SimBoard) => b.state() === "running" && !flapping.has(b);
  let hit: SimBoard[] = [];
  switch (kind) {
    case "kill":
      hit = pick(count, healthy);
      hit.forEach((b) => b.kill());
      break;
    case "freeze":
      hit = pick(count, healthy);
      hit.forEach((b) => b.freeze());
      break;
    case "flap":
      hit = pick(count, healthy);
      hit.forEach((b) => flapping.add(b));
      break;
    case "thaw":
      hit = boards.filter((b) => b.state() === "frozen");
      hit.forEach((b) => b.thaw());
      break;
    case "revive":
      hit = boards.filter((b) => b.state() === "killed");
      await Promise.all(hit.map((b) => b.revive()));
      break;
    case "steady":
      hit = [...flapping];
      flapping.clear();
      break;
  }
  send({ type: "fault-done", kind, ids: hit.map((b) => b.id) });
}

async function stop() {
  stopping = true;
  if (flapTimer) clearInterval(flapTimer);
  if (progressTimer) clearInterval(progressTimer);
  await Promise.all(boards.map((b) => b.stop().catch(() => undefined)));
  await Promise.all(boards.map((b) => b.cleanup().catch(() => undefined)));
  send({ type: "stopped" });
  process.exit(0);
}

process.on("message", (m: ToWorker) => {
  if (m.type === "init") void init(m);
  else if (m.type === "fault") void fault(m.kind, m.count);
  else if (m.type === "stop") void stop();
});
process.on("disconnect", () => void stop());
// The supervisor owns Ctrl-C and SIGTERM (both reach the whole process group): a worker stops
// when told, so every board publishes `offline`, or when its supervisor goes away.
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => undefined);
