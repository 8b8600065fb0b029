import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { openHealthDb } from "./metric-db.js";
import { prunePoints } from "./point-prune.js";
import { unpackBatch, type FromWriter, type ToWriter } from "./writer-protocol.js";

/**
 * The health writer thread (docs/protocol.md §"Health history"): its own SQLite connection to
 * health.sqlite (WAL), one transaction per batch the main thread hands over, retention and the
 * size bound. Messages are handled in order, so an acknowledgement means every earlier batch is
 * committed too. An error in a batch is reported and the batch stays with the main thread; an
 * error opening the file ends the thread (the main thread reports it).
 */
if (!parentPort) throw new Error("writer-worker.js runs as a worker thread");
const port: MessagePort = parentPort;
const { file } = workerData as { file: string };
const h = openHealthDb(file);
let open = true;
let pruning: Promise<void> | null = null;
const send = (m: FromWriter) => port.postMessage(m);
const code = (err: unknown) =>
  err && typeof err === "object" && "code" in err && typeof err.code === "string" ? err.code : null;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function write(msg: Extract<ToWriter, { kind: "write" }>): void {
  const t0 = performance.now();
  try {
    h.db.transaction(() => {
      const rows = unpackBatch(msg, (id) => h.boardIndex(id));
      h.write("m1", rows.m1);
      h.write("m15", rows.m15);
    })();
    send({ kind: "written", seq: msg.seq, rows: msg.data.length / 8, ms: performance.now() - t0 });
  } catch (err: unknown) {
    // A board index created inside the rolled-back transaction is gone again.
    h.forgetUncommitted();
    send({ kind: "failed", seq: msg.seq, op: "write", message: message(err), code: code(err) });
  }
}

function prune(msg: Extract<ToWriter, { kind: "prune" }>): void {
  const t0 = performance.now();
  const run = async () => {
    try {
      await prunePoints(
        h,
        {
          open: () => open,
          yieldTurn: () => new Promise((r) => setImmediate(r)),
          warn: (used, max) =>
            send({ kind: "warn", message: "over its size bound with nothing left to drop", used, max }),
        },
        msg.nowMin,
        msg.maxBytes,
      );
      send({ kind: "pruned", seq: msg.seq, ms: performance.now() - t0 });
    } catch (err: unknown) {
      send({ kind: "failed", seq: msg.seq, op: "prune", message: message(err), code: code(err) });
    }
  };
  // One pass at a time; a request during a pass is answered when that pass ends.
  const p = (pruning ?? Promise.resolve()).then(run);
  pruning = p;
  void p.finally(() => {
    if (pruning === p) pruning = null;
  });
}

async function close(): Promise<void> {
  open = false;
  await pruning;
  h.close();
  send({ kind: "closed" });
  port.close();
}

port.on("message", (msg: ToWriter) => {
  switch (msg.kind) {
    case "write":
      write(msg);
      break;
    case "prune":
      prune(msg);
      break;
    case "close":
      void close();
      break;
  }
});
send({ kind: "ready" });
