import { Worker, type WorkerOptions } from "node:worker_threads";
import type { Logger } from "pino";
import type { PendingRow } from "./accumulator.js";
import type { Tier } from "./metric-db.js";
import { createWriteQueue, type WriteQueueLimits } from "./write-queue.js";
import { packBatch, type FromWriter, type QueuedPoint, type ToWriter } from "./writer-protocol.js";
import { createWriterReplies } from "./writer-replies.js";

/** The writer thread's script: the compiled file beside this one (from the sources, under vitest: the build's). */
export function writerScript(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts")
    ? new URL("../../dist/health/writer-worker.js", here)
    : new URL("./writer-worker.js", here);
}

export interface HealthWriterDeps {
  file: string;
  log: Logger;
  /** Production default: `new Worker(writerScript(), opts)`; tests wrap it to reach the thread. */
  spawn?: (opts: WorkerOptions) => Worker;
  limits?: Partial<WriteQueueLimits>;
  /** First wait before a restart after the thread died (doubles to 30 s while it keeps dying). */
  restartMs?: number;
  /** A handed-over batch unacknowledged for longer is logged as a lagging writer. */
  lagWarnMs?: number;
  /** How long a clean stop waits for the writer to commit what is left. */
  closeTimeoutMs?: number;
}

const LIMITS: WriteQueueLimits = { maxPoints: 1_000_000, batchPoints: 1_000, maxInFlight: 50_000 };

/**
 * The main thread's side of the health writer thread (docs/protocol.md §"Health history"):
 * hands the closed points over in batches, keeps each until its commit is acknowledged, and
 * restarts a thread that died (logged as an error, batches handed over again).
 */
export function createHealthWriter(deps: HealthWriterDeps) {
  const log = deps.log.child({ module: "health-writer" });
  const queue = createWriteQueue({ ...LIMITS, ...deps.limits });
  const spawn = deps.spawn ?? ((opts: WorkerOptions) => new Worker(writerScript(), opts));
  let w: Worker | null = null;
  let ready = false;
  let closing = false;
  let restarts = 0;
  let crashesInRow = 0;
  let restartTimer: NodeJS.Timeout | null = null;
  let dropEpisode = 0;
  let lagging = false;
  let closed: (() => void) | null = null;
  const post = (m: ToWriter) => w?.postMessage(m);
  const replies = createWriterReplies({ queue, log, handOver: () => flush(closing) });

  let starting: Promise<void> | null = null;
  /** Starts a thread (or joins the start under way); resolves once its file is open, rejects if it dies before. */
  function launch(): Promise<void> {
    starting ??= spawnThread().finally(() => {
      starting = null;
    });
    return starting;
  }

  function spawnThread(): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = spawn({ workerData: { file: deps.file } });
      w = t;
      let lastErr: Error | null = null;
      t.on("message", (m: FromWriter) => {
        if (m.kind === "ready" && w === t) {
          ready = true;
          resolve();
          flush();
        }
        if (replies.handle(m)) crashesInRow = 0;
      });
      t.on("error", (err) => (lastErr = err));
      t.on("exit", (code) => {
        if (w !== t) return;
        w = null;
        const wasReady = ready;
        ready = false;
        // Every unacknowledged batch, posted or not, goes to the next thread.
        queue.repost();
        handing = [];
        replies.threadGone();
        if (closing && closed) return closed();
        const err = lastErr ?? new Error(`health writer thread exited with code ${code}`);
        if (!wasReady) reject(err);
        if (wasReady || restarts > 0) died(err, code);
      });
    });
  }

  function died(err: unknown, code: number): void {
    restarts++;
    crashesInRow++;
    const waitMs = Math.min(30_000, (deps.restartMs ?? 1000) * 2 ** (crashesInRow - 1));
    log.error({ err, code, restarts, unwritten: queue.stats(), waitMs }, "health writer thread died; restarting");
    if (closing) return;
    restartTimer = setTimeout(() => {
      restartTimer = null;
      launch().catch(() => undefined);
    }, waitMs);
  }

  /** Batches taken from the queue, not yet posted. */
  let handing: { seq: number; points: QueuedPoint[] }[] = [];

  /** Packs and posts one batch per event-loop turn, so beats go between; all at once for a stop. */
  function handOver(all: boolean): void {
    for (let b = handing.shift(); b && ready; b = handing.shift()) {
      post(packBatch(b.seq, b.points));
      if (!all && handing.length > 0) {
        setImmediate(() => handOver(false));
        return;
      }
    }
  }

  /** Hands over what is due (everything with `all`). */
  function flush(all = false): void {
    if (!ready) return;
    const at = performance.now();
    const idle = handing.length === 0;
    handing.push(...queue.take(at, all));
    // With a chain of turns under way, it takes the new batches along.
    if (all || idle) handOver(all);
    const oldest = queue.oldestPostedAt();
    const lag = oldest === null ? 0 : at - oldest;
    if (lag > (deps.lagWarnMs ?? 60_000) !== lagging) {
      lagging = !lagging;
      if (lagging) log.warn({ lagMs: Math.round(lag), queue: queue.stats() }, "health writer lagging");
      else log.info({ queue: queue.stats() }, "health writer caught up");
    }
  }

  return {
    start: launch,
    enqueue(tier: Tier, row: PendingRow): void {
      const n = queue.push(tier, row);
      if (n > 0 && dropEpisode++ % 10_000 === 0)
        log.warn({ dropped: queue.stats().dropped, queue: queue.stats() }, "health points dropped: writer behind");
    },
    flush: () => flush(),
    /** Hands over everything due; resolves once all of it is committed (across writer restarts). */
    drain(): Promise<void> {
      flush();
      return replies.drain();
    },
    /** Retention and the size bound in the writer thread; resolves when done (or the thread died). */
    prune(nowMin: number, maxBytes: number): Promise<void> {
      return ready ? replies.prune(post, nowMin, maxBytes) : Promise.resolve();
    },
    unwritten: (id: string, tier: Tier) => queue.unwritten(id, tier),
    stats() {
      const oldest = queue.oldestPostedAt();
      const lagMs = oldest === null ? 0 : Math.round(performance.now() - oldest);
      return { ...queue.stats(), ...replies.stats(), lagMs, restarts, running: ready };
    },
    /** Hands over everything left and waits for its commit (a thread that is down is started for it). */
    async close(): Promise<void> {
      closing = true;
      if (restartTimer) clearTimeout(restartTimer);
      restartTimer = null;
      if (!ready) await launch().catch((err: unknown) => log.error({ err }, "health writer not started for the stop"));
      if (ready) {
        flush(true);
        const t = w;
        const done = new Promise<void>((r) => (closed = r));
        post({ kind: "close" });
        const timer = setTimeout(() => void t?.terminate(), deps.closeTimeoutMs ?? 30_000);
        await done;
        clearTimeout(timer);
      }
      const left = queue.stats();
      if (left.queued + left.inFlight > 0) log.error({ queue: left }, "health points not written at the stop");
    },
  };
}
export type HealthWriter = ReturnType<typeof createHealthWriter>;
