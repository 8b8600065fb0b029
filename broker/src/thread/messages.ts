import type { LoopLagSample } from "@bbb/shared/node";
import type { StartOptions } from "../types.js";

/**
 * What the broker's thread and the thread that owns it say to each other (threaded-broker.ts,
 * broker-worker.ts). Both directions travel in batches, one `postMessage` per event-loop turn at
 * most: the payload bytes of a batch are one ArrayBuffer, moved (not copied) to the other
 * thread, and each item names its slice.
 */

/** A slice of a batch's bytes. */
export interface Slice {
  o: number;
  n: number;
}

/** Worker → owner. `l` numbers a local client, `c` a bridged connection, `id` a request. */
export type FromWorker =
  | ({ k: "msg"; l: number; t: string; r: boolean } & Slice)
  | { k: "up" | "down"; l: number }
  | { k: "done"; id: number; value?: unknown; error?: string; code?: string }
  | { k: "ask-verify"; id: number; username: string; password: string }
  | { k: "ask-known"; id: number; clientId: string }
  | { k: "event"; name: string; payload: unknown }
  | { k: "log"; line: string }
  | { k: "lag"; sample: LoopLagSample; gc: LoopLagSample; heapUsed: number }
  | ({ k: "conn-data"; c: number } & Slice)
  | { k: "conn-end" | "conn-pause" | "conn-resume"; c: number };

/** Owner → worker. */
export type ToWorker =
  | { k: "start"; id: number; opts: StartOptions; locals: { l: number; filters: string[] }[] }
  | { k: "stop"; id: number }
  | { k: "disconnect-user"; id: number; username: string }
  | { k: "users"; names: string[]; generation: number }
  | { k: "answer"; id: number; value: unknown; error?: string }
  | { k: "local-open"; l: number }
  | { k: "local-sub" | "local-unsub"; id: number; l: number; filters: string[] }
  | { k: "local-close"; id: number; l: number }
  | ({ k: "pub"; id: number; l: number; t: string; q: 0 | 1; r: boolean } & Slice)
  | { k: "conn-open"; c: number; address: string }
  | ({ k: "conn-data"; c: number } & Slice)
  | { k: "conn-end" | "conn-pause" | "conn-resume"; c: number };

export interface Batch<T> {
  items: T[];
  bytes: ArrayBuffer | null;
}

/** What the broker's thread is started with (`workerData`): everything that can be copied. */
export interface WorkerSettings {
  topicRoot: string;
  fleetSecret: string;
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  cluster?: { redisUrl: string; heartbeatMs?: number };
  trustProxy?: boolean;
  maxPacketBytes?: number;
  /** The owner's log level and bindings: the thread's lines go to the owner's destination. */
  logLevel: string;
  logBindings: Record<string, unknown>;
  logRedact: string[];
  /** Users' names at start; later changes come as `users` messages. */
  usernames: string[];
  /** The user store's generation at start, one more per change (verified-logins.ts). */
  generation: number;
  /** Window of the thread's event-loop delay figures (default 10 s; tests shorten it). */
  lagWindowMs?: number;
}

type Sized<T> = T extends Slice ? Omit<T, "o" | "n"> & { bytes: Uint8Array } : T;

/**
 * Smallest byte buffer of a batch. A batch's buffer starts at the size the last batch needed (at
 * least this) and doubles while a turn's items do not fit. Each buffer is a new ArrayBuffer,
 * zeroed, moved to the other thread and counted there as external memory until collected: at a
 * few thousand boards a turn holds one heartbeat, and a fixed 64 KiB per batch was 125 MiB/s of
 * it, which V8 answered with a mark-compact every few hundred milliseconds (BENCHMARKS.md, "The
 * memory reducer, the read path and the threads' batches").
 */
export const MIN_BATCH_BYTES = 4 * 1024;

/** A batch goes out at once when it holds this many items… */
const MAX_ITEMS = 256;
/** …or its first item has waited this long: one turn of a busy loop can last seconds. */
const MAX_WAIT_MS = 5;

/**
 * Collects one turn's items and sends them as one batch once the turn is over (setImmediate),
 * so a burst of 1,000 messages is a few `postMessage`s and wake-ups of the other thread, not
 * 1,000. A turn that drains thousands of sockets does not hold its first messages to the end:
 * a batch also goes out at MAX_ITEMS items or MAX_WAIT_MS after its first. An item's bytes are
 * copied when it is queued (the caller may reuse its buffer: the retained store overwrites its
 * slots in place), into one buffer that is then moved with the batch.
 */
export function createOutbox<T extends { k: string }>(post: (batch: Batch<T>, transfer: ArrayBuffer[]) => void, now: () => number = performance.now.bind(performance)) {
  let items: T[] = [];
  let buf: Uint8Array | null = null;
  let size = 0;
  let scheduled = false;
  let firstAt = 0;
  let lastSize = 0;

  function room(n: number): Uint8Array {
    if (buf && size + n <= buf.length) return buf;
    let cap = buf ? buf.length * 2 : MIN_BATCH_BYTES;
    while (cap < size + n || (!buf && cap < lastSize)) cap *= 2;
    const next = new Uint8Array(cap);
    if (buf) next.set(buf.subarray(0, size));
    buf = next;
    return next;
  }

  function flush(): void {
    if (items.length === 0) return;
    const bytes = size > 0 && buf ? (buf.buffer as ArrayBuffer) : null;
    const batch: Batch<T> = { items, bytes };
    items = [];
    buf = null;
    lastSize = size;
    size = 0;
    post(batch, bytes ? [bytes] : []);
  }

  return {
    /** Queues an item; one with `bytes` gets its slice of the batch's buffer. */
    push(item: Sized<T>): void {
      if ("bytes" in item && item.bytes instanceof Uint8Array) {
        const { bytes, ...rest } = item as { bytes: Uint8Array } & Record<string, unknown>;
        room(bytes.length).set(bytes, size);
        rest.o = size;
        rest.n = bytes.length;
        size += bytes.length;
        items.push(rest as unknown as T);
      } else {
        items.push(item as T);
      }
      if (items.length === 1) firstAt = now();
      else if (items.length >= MAX_ITEMS || now() - firstAt >= MAX_WAIT_MS) return flush();
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      }
    },
    /** Sends what is queued now. */
    flush,
  };
}

/** A slice of a received batch's bytes, without a copy. */
export function sliceOf(bytes: ArrayBuffer | null, s: Slice): Buffer {
  return bytes ? Buffer.from(bytes, s.o, s.n) : Buffer.alloc(0);
}
