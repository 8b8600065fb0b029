import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import type { EventLoopUtilization } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { pino } from "pino";
import { CodedError, MAX_PACKET_BYTES, MQTT_WS_PATH } from "@bbb/shared";
import { BrokerErrorCodes } from "../errors.js";
import type { LocalClient, LocalHandlers } from "../local-client.js";
import type { Broker, BrokerDeps, StartOptions } from "../types.js";
import type { UserStore } from "../user-store.js";
import { createWebSocketGateway } from "../websocket.js";
import { createConnectionBridge } from "./connection-bridge.js";
import { localProxyClient, type LocalProxy } from "./local-proxy.js";
import { createOutbox, sliceOf, type Batch, type FromWorker, type ToWorker, type WorkerSettings } from "./messages.js";
import type { VerifyAnswer } from "./verified-logins.js";

export type ThreadedBrokerDeps = Omit<BrokerDeps, "users" | "clock" | "retainedStore" | "admission" | "authThrottle"> & {
  /**
   * The user store stays on this thread: the broker's thread asks it to check passwords and keeps
   * the successful answers until the store's next change (onChange; verified-logins.ts).
   */
  users: Pick<UserStore, "has" | "verify" | "list" | "onChange">;
  /** The thread's module; default the built broker-worker.js (tests wrap it). */
  workerFile?: URL;
  /** pino redact paths for the thread's log lines, as the owner's logger redacts its own. */
  logRedact?: string[];
  /** Window of the thread's event-loop delay figures (default 10 s). */
  lagWindowMs?: number;
};

/** How long stop() waits for the broker's thread to close its clients before ending the thread. */
const STOP_TIMEOUT_MS = 10_000;
/** A thread that died is started again after this wait, doubled per failed try up to the cap. */
const RESTART_FIRST_MS = 1000;
const RESTART_MAX_MS = 30_000;

/** The thread runs the built file: sources under test (vitest) use the build next to them. */
function workerFile(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith(".ts") ? new URL("../../dist/thread/broker-worker.js", here) : new URL("./broker-worker.js", here);
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * The embedded broker on a thread of its own (docs/architecture.md §"The broker's thread"): its
 * sockets, MQTT parsing and delivery no longer share an event loop with the manager, so neither
 * starves the other once one core is not enough for both. Same interface as createBroker().
 * On this thread stay the user store (passwords are checked here, with its cache), the
 * registry's known-board check, the HTTP server's WebSocket upgrades (bridged to the broker's
 * thread) and the manager's in-process client (its messages arrive in batches, one per turn of
 * the broker's event loop).
 */
export function createThreadedBroker(deps: ThreadedBrokerDeps): Broker {
  const log = deps.log.child({ module: "broker-thread" });
  const events = new EventEmitter();
  const destination = (deps.log as unknown as Record<symbol, { write(line: string): void } | undefined>)[pino.symbols.streamSym];

  let worker: Worker | null = null;
  let outbox: ReturnType<typeof createOutbox<ToWorker>> | null = null;
  let stopping = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let nextLocal = 1;
  const locals = new Map<number, LocalProxy>();
  let clients = 0;
  const byUser = new Map<string, number>();
  let offUsers: (() => void) | null = null;
  // One more per change of the user store, never reset (a thread started again takes it on):
  // the broker's thread keeps a verified login only if no change came since its check began.
  let generation = 0;

  const send = (item: Parameters<NonNullable<typeof outbox>["push"]>[0]) => outbox?.push(item);

  function request<T>(item: (ToWorker & { id: number }) | Record<string, unknown>): Promise<T> {
    if (!outbox) return Promise.reject(new CodedError(BrokerErrorCodes.NOT_RUNNING, "broker not running"));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send({ ...(item as object), id } as Parameters<typeof send>[0]);
    });
  }

  function counted(username: string, delta: number): void {
    clients = Math.max(0, clients + delta);
    const n = (byUser.get(username) ?? 0) + delta;
    if (n > 0) byUser.set(username, n);
    else byUser.delete(username);
  }

  function answer(id: number, work: () => unknown): void {
    // Only to the thread that asked: one started again numbers its asks from 1 too, and must not
    // take the answer to another thread's login (another user's role) for one of its own.
    const asker = outbox;
    const reply = (item: Extract<ToWorker, { k: "answer" }>) => {
      if (outbox === asker) send(item);
    };
    Promise.resolve()
      .then(work)
      .then(
        (value) => reply({ k: "answer", id, value }),
        (err: unknown) => reply({ k: "answer", id, value: null, error: (err as Error)?.message ?? String(err) }),
      );
  }

  function onItem(m: FromWorker, bytes: ArrayBuffer | null): void {
    switch (m.k) {
      case "msg": {
        const p = locals.get(m.l);
        // As with a broker on this thread: nothing reaches a local client once stop() began.
        if (!p || p.closed || stopping) return;
        try {
          p.handlers.message(m.t, sliceOf(bytes, m), m.r);
        } catch (err: unknown) {
          p.handlers.error(err, m.t);
        }
        return;
      }
      case "up":
      case "down": {
        const p = locals.get(m.l);
        if (!p || p.closed || p.up === (m.k === "up")) return;
        p.up = m.k === "up";
        if (p.up) p.handlers.up?.();
        else p.handlers.down?.();
        return;
      }
      case "done": {
        const w = pending.get(m.id);
        pending.delete(m.id);
        if (!w) return;
        if (m.error !== undefined) w.reject(Object.assign(new Error(m.error), m.code ? { code: m.code } : {}));
        else w.resolve(m.value);
        return;
      }
      case "lag":
        lastWindow = m;
        return;
      case "ask-verify":
        answer(m.id, async (): Promise<VerifyAnswer> => {
          // Taken as the check reads the store: a change after this ends whatever the answer says.
          const at = generation;
          return { role: await deps.users.verify(m.username, m.password), generation: at };
        });
        return;
      case "ask-known":
        answer(m.id, () => deps.isKnownBoard?.(m.clientId) ?? false);
        return;
      case "event": {
        const e = m.payload as { username?: string };
        if (m.name === "client-connected" && e.username !== undefined) counted(e.username, 1);
        if (m.name === "client-disconnected" && e.username !== undefined) counted(e.username, -1);
        events.emit(m.name, m.payload);
        return;
      }
      case "log":
        destination?.write(m.line);
        return;
      case "conn-data":
      case "conn-end":
      case "conn-pause":
      case "conn-resume":
        connections.handle(m, bytes);
        return;
    }
  }

  const connections = createConnectionBridge({ send, log });

  /** A connection of this thread (MQTT over WebSocket) carried to the broker's thread. */
  function bridge(stream: Duplex, address: string): boolean {
    if (!outbox || stopping) return false;
    connections.open(stream, address);
    return true;
  }

  const maxPacketBytes = deps.maxPacketBytes ?? MAX_PACKET_BYTES;
  const ws = createWebSocketGateway({
    log,
    trustProxy: deps.trustProxy ?? false,
    maxPacketBytes,
    accept: (stream, _req, address) => bridge(stream, address),
    onFrameTooLarge: (address, limit) => {
      log.warn({ address, limit }, "websocket frame too large, connection closed");
      events.emit("packet-too-large", { address, size: limit + 1 });
    },
  });

  function failAll(reason: string): void {
    for (const w of pending.values()) w.reject(new CodedError(BrokerErrorCodes.NOT_RUNNING, reason));
    pending.clear();
    connections.destroyAll();
    clients = 0;
    byUser.clear();
    localsDown();
  }

  /** The manager's client is told at once, before the broker's thread has closed anything. */
  function localsDown(): void {
    for (const p of locals.values()) {
      if (!p.up || p.closed) continue;
      p.up = false;
      p.handlers.down?.();
    }
  }

  function spawn(): Worker {
    const settings: WorkerSettings = {
      topicRoot: deps.topicRoot,
      fleetSecret: deps.fleetSecret,
      ...(deps.tls ? { tls: deps.tls } : {}),
      ...(deps.cluster ? { cluster: deps.cluster } : {}),
      trustProxy: deps.trustProxy ?? false,
      maxPacketBytes,
      logLevel: deps.log.level,
      logBindings: deps.log.bindings(),
      logRedact: deps.logRedact ?? [],
      usernames: deps.users.list().map((u) => u.username),
      generation,
      ...(deps.lagWindowMs ? { lagWindowMs: deps.lagWindowMs } : {}),
    };
    const w = new Worker(deps.workerFile ?? workerFile(), { workerData: settings, name: "broker" });
    const box = createOutbox<ToWorker>((batch, transfer) => w.postMessage(batch, transfer));
    w.on("message", (batch: Batch<FromWorker>) => {
      if (worker !== w) return;
      for (const m of batch.items) onItem(m, batch.bytes);
    });
    // A thread that dies (an uncaught error in it) is started again on the same ports: for the
    // boards it is a broker restart, which they ride out with their back-off and session.
    w.on("error", (err) => died(w, { err }));
    w.on("exit", (code) => died(w, { code }));
    worker = w;
    outbox = box;
    offUsers = deps.users.onChange(() => send({ k: "users", names: deps.users.list().map((u) => u.username), generation: ++generation }));
    return w;
  }

  let started: StartOptions | null = null;
  let lastElu: EventLoopUtilization | null = null;
  // The thread's last window: event-loop delay, GC and heap (a thread started again begins with none).
  let lastWindow: Extract<FromWorker, { k: "lag" }> | null = null;
  let restartTimer: NodeJS.Timeout | null = null;
  let restartDelay = RESTART_FIRST_MS;

  function died(w: Worker, why: { err?: Error; code?: number }): void {
    if (worker !== w || stopping) return;
    log.error({ ...why, retryInMs: restartDelay }, "the broker's thread ended; starting it again");
    release("broker thread ended");
    void w.terminate();
    scheduleRestart();
  }

  function scheduleRestart(): void {
    const opts = started;
    if (!opts || restartTimer) return;
    restartTimer = setTimeout(() => {
      restartTimer = null;
      launch(opts).then(
        () => {
          restartDelay = RESTART_FIRST_MS;
          log.warn("the broker's thread is running again");
          events.emit("restarted", {});
        },
        (err: unknown) => {
          restartDelay = Math.min(restartDelay * 2, RESTART_MAX_MS);
          log.error({ err, retryInMs: restartDelay }, "starting the broker's thread again failed");
          scheduleRestart();
        },
      );
    }, restartDelay);
    restartTimer.unref();
  }

  /** A new thread, started with these options, the local clients' filters taken along. */
  async function launch(opts: StartOptions): Promise<{ mqttPort: number; mqttsPort: number | null }> {
    const w = spawn();
    const live = [...locals.entries()].filter(([, p]) => !p.closed).map(([l, p]) => ({ l, filters: [...p.filters] }));
    try {
      return await request<{ mqttPort: number; mqttsPort: number | null }>({ k: "start", opts, locals: live });
    } catch (e: unknown) {
      release("broker failed to start");
      await w.terminate();
      throw e;
    }
  }

  /** Forgets the current thread: its requests, connections and counts end, the local clients go down. */
  function release(reason: string): void {
    worker = null;
    lastElu = null;
    lastWindow = null;
    outbox = null;
    offUsers?.();
    offUsers = null;
    failAll(reason);
  }

  async function stop(): Promise<void> {
    started = null;
    if (restartTimer) clearTimeout(restartTimer);
    restartTimer = null;
    ws.closeAll();
    ws.detach();
    const w = worker;
    if (!w) return;
    stopping = true;
    localsDown();
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        request({ k: "stop" }),
        new Promise((resolve) => {
          timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (err: unknown) {
      log.warn({ err }, "stopping the broker's thread failed");
    }
    release("broker stopped");
    await w.terminate();
    stopping = false;
  }

  function localClient(handlers: LocalHandlers): LocalClient {
    const l = nextLocal++;
    const p: LocalProxy = { handlers, filters: new Set(), up: false, closed: false };
    locals.set(l, p);
    if (outbox) send({ k: "local-open", l });
    return localProxyClient(l, p, { running: () => outbox !== null, request, forget: () => locals.delete(l) });
  }

  return {
    events,

    async start(opts) {
      if (worker || started) throw new CodedError(BrokerErrorCodes.ALREADY_STARTED, "broker already started");
      const ports = await launch(opts);
      // A restart binds the same ports (port 0 picked them the first time).
      started = { ...opts, mqttPort: ports.mqttPort, ...(ports.mqttsPort !== null ? { mqttsPort: ports.mqttsPort } : {}) };
      return ports;
    },

    attachWebSocket(server, path = MQTT_WS_PATH) {
      ws.attach(server, path);
    },

    acceptConnection: (conn, address) => bridge(conn, address),

    stop,

    connectedClients: () => clients,

    threadLag: () => lastWindow?.sample ?? null,

    threadRuntime: () => (lastWindow ? { gc: lastWindow.gc, heapUsedBytes: lastWindow.heapUsed } : null),

    threadUtilization() {
      if (!worker) return null;
      // Since the previous call (the previous /metrics scrape), as a busy-thread gauge wants it.
      const now = worker.performance.eventLoopUtilization();
      const since = lastElu ? worker.performance.eventLoopUtilization(now, lastElu) : now;
      lastElu = now;
      return since.utilization;
    },

    disconnectUser(username, act = true) {
      const n = byUser.get(username) ?? 0;
      if (act && n > 0 && outbox) void request({ k: "disconnect-user", username }).catch((err: unknown) => log.warn({ err, username }, "closing a user's connections failed"));
      return n;
    },

    localClient,
  };
}

