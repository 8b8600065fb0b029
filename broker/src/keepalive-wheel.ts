/**
 * One timer for every client's keepalive instead of one Node timer per client.
 *
 * Aedes arms a `setTimeout` of 1.5 × keepalive per client at CONNECT and calls its `refresh()`
 * on every packet the client sends (MQTT-3.1.2-24), which re-links the timer in Node's timer
 * list for each heartbeat. Here the client's timer is replaced by an entry whose `refresh()`
 * only records the time, and one interval walks a wheel of buckets: an entry is looked at once
 * per keepalive period, when its deadline's bucket comes up; it is dropped then if the client
 * has closed, moved to the bucket of its new deadline if the client spoke meanwhile, or expired
 * exactly as Aedes would (`keepaliveTimeout` on the broker, then a `keep alive timeout` error,
 * which closes the connection and publishes the will). A client is never expired before
 * 1.5 × keepalive, and at most one tick after it (docs/protocol.md §"Liveness").
 *
 * An expiry is confirmed only after the event loop's next I/O phase (`afterIo`, setImmediate):
 * timers run before I/O, so after a stall of the broker's own thread (a reconnect storm, a long
 * collection) every client would look silent although its packets wait, unread, in the socket
 * buffers. Those packets are read first; a client that spoke is kept, and only the silent ones
 * lose their connection and have their will published.
 */

/** The parts of an Aedes 1.2 client this module reads and replaces (lib/handlers/connect.js). */
export interface KeepaliveClient {
  closed: boolean;
  _keepaliveInterval: number;
  _keepaliveTimer: unknown;
  emit(event: "error", err: Error): unknown;
  broker: { emit(event: "keepaliveTimeout", client: unknown): unknown };
}

export interface KeepaliveWheelDeps {
  /** Milliseconds on a monotonic clock (a wall-clock step must not suspend expiry); default performance.now. */
  now?: () => number;
  /** Granularity: how late an expiry may be. Default 100 ms. */
  tickMs?: number;
  setInterval?: (fn: () => void, ms: number) => { unref?(): unknown };
  clearInterval?: (t: unknown) => void;
  /** Runs `fn` once the loop has read the sockets that are ready; default setImmediate. */
  afterIo?: (fn: () => void) => void;
}

export interface KeepaliveWheel {
  /** Takes over the client's keepalive timer; false when it has none (keepalive 0) or is closed. */
  track(client: KeepaliveClient): boolean;
  /** Clients currently watched. */
  size(): number;
  start(): void;
  stop(): void;
}

interface Entry {
  client: KeepaliveClient;
  intervalMs: number;
  seen: number;
  refresh(): void;
}

const DEFAULT_TICK_MS = 100;

export function createKeepaliveWheel(deps: KeepaliveWheelDeps = {}): KeepaliveWheel {
  const now = deps.now ?? (() => performance.now());
  const tickMs = deps.tickMs ?? DEFAULT_TICK_MS;
  const setIntervalFn = deps.setInterval ?? setInterval;
  const clearIntervalFn = deps.clearInterval ?? ((t: unknown) => clearInterval(t as NodeJS.Timeout));
  const afterIo = deps.afterIo ?? ((fn: () => void) => void setImmediate(fn));
  // Bucket number (deadline / tickMs, rounded up) → entries due then.
  const buckets = new Map<number, Entry[]>();
  let watched = 0;
  let timer: { unref?(): unknown } | null = null;
  let done = -1;

  const bucketOf = (deadline: number) => Math.ceil(deadline / tickMs);

  function place(e: Entry): void {
    const b = Math.max(bucketOf(e.seen + e.intervalMs), done + 1);
    const list = buckets.get(b);
    if (list) list.push(e);
    else buckets.set(b, [e]);
  }

  function expire(e: Entry): void {
    const c = e.client;
    c.broker.emit("keepaliveTimeout", c);
    c.emit("error", new Error("keep alive timeout"));
  }

  const gone = (e: Entry) => e.client.closed || e.client._keepaliveTimer !== e;

  /** Entries past their deadline at a tick, confirmed after the next I/O phase. */
  let due: Entry[] = [];

  function confirm(): void {
    const list = due;
    due = [];
    const t = now();
    for (const e of list) {
      if (gone(e)) {
        watched--;
      } else if (e.seen + e.intervalMs <= t) {
        watched--;
        expire(e);
      } else {
        // A packet read in the I/O phase: it is alive, due again at its new deadline.
        place(e);
      }
    }
  }

  function tick(): void {
    const t = now();
    const upTo = Math.floor(t / tickMs);
    if (done < 0) done = upTo - 1;
    const before = due.length;
    for (let b = done + 1; b <= upTo; b++) {
      const list = buckets.get(b);
      if (!list) continue;
      buckets.delete(b);
      for (const e of list) {
        if (gone(e)) {
          watched--;
          continue;
        }
        if (e.seen + e.intervalMs <= t) {
          due.push(e);
        } else {
          // Spoke since: look again at its new deadline (never in a bucket already done).
          done = b;
          place(e);
        }
      }
    }
    done = upTo;
    if (before === 0 && due.length > 0) afterIo(confirm);
  }

  return {
    track(client) {
      const old = client._keepaliveTimer as { refresh?: unknown } | null;
      if (client.closed || !(client._keepaliveInterval > 0) || !old || typeof old.refresh !== "function") return false;
      clearTimeout(old as NodeJS.Timeout);
      const e: Entry = {
        client,
        intervalMs: client._keepaliveInterval,
        seen: now(),
        refresh() {
          this.seen = now();
        },
      };
      client._keepaliveTimer = e;
      watched++;
      place(e);
      return true;
    },
    size: () => watched,
    start() {
      if (timer) return;
      done = -1;
      timer = setIntervalFn(tick, tickMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearIntervalFn(timer);
      timer = null;
      buckets.clear();
      due = [];
      watched = 0;
    },
  };
}
