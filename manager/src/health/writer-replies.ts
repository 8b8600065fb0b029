import type { Logger } from "pino";
import type { WriteQueue } from "./write-queue.js";
import type { FromWriter, ToWriter } from "./writer-protocol.js";

/**
 * What the health writer thread answers (docs/protocol.md §"Health history"): commits leave the
 * queue, a failed batch stays for the next flush, and the waiting prune and drain calls resolve.
 */
export function createWriterReplies(deps: { queue: WriteQueue; log: Logger; handOver: () => void }) {
  const { queue, log } = deps;
  let written = 0;
  let writeMs = 0;
  let failing = false;
  let pruneSeq = 0;
  const prunes = new Map<number, () => void>();
  let drains: (() => void)[] = [];
  const drained = () => {
    const q = queue.stats();
    if (q.queued + q.inFlight > 0) return;
    for (const d of drains) d();
    drains = [];
  };

  return {
    /** Handles one answer; true when it acknowledged a commit. */
    handle(m: FromWriter): boolean {
      switch (m.kind) {
        case "ready":
        case "closed":
          return false;
        case "written":
          written += queue.ack(m.seq);
          writeMs += m.ms;
          if (failing) log.info({ seq: m.seq }, "health points written again");
          failing = false;
          // Room again under the back-pressure bound: hand over what waited.
          if (queue.stats().queued > 0) deps.handOver();
          drained();
          return true;
        case "failed":
          if (m.op === "write") {
            // Kept and handed over again at the next flush (a full disk may free up).
            queue.repost(m.seq);
            if (!failing) log.error({ err: { message: m.message, code: m.code } }, "health points not written; kept");
            failing = true;
            return false;
          }
          log.error({ err: { message: m.message, code: m.code } }, "health history prune failed");
          break;
        case "warn":
          log.warn({ used: m.used, max: m.max }, `health history ${m.message}`);
          return false;
        case "pruned":
          break;
      }
      prunes.get(m.seq)?.();
      prunes.delete(m.seq);
      return false;
    },
    prune(post: (m: ToWriter) => void, nowMin: number, maxBytes: number): Promise<void> {
      const seq = ++pruneSeq;
      return new Promise((resolve) => {
        prunes.set(seq, resolve);
        post({ kind: "prune", seq, nowMin, maxBytes });
      });
    },
    /** Resolves once nothing is queued or unacknowledged. */
    drain(): Promise<void> {
      return new Promise((r) => {
        drains.push(r);
        drained();
      });
    },
    /** The thread died: its prune passes will not answer. */
    threadGone(): void {
      for (const done of prunes.values()) done();
      prunes.clear();
    },
    stats: () => ({ written, writeMs: Math.round(writeMs) }),
  };
}
