import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { pino } from "pino";
import { createGcPauses, createLoopLag } from "@bbb/shared/node";
import { createBroker } from "../create-broker.js";
import type { LocalClient } from "../local-client.js";
import type { Broker, BrokerEvents } from "../types.js";
import { BridgedConn } from "./bridged-conn.js";
import { createOutbox, sliceOf, type Batch, type FromWorker, type ToWorker, type WorkerSettings } from "./messages.js";
import { createVerifiedLogins, type VerifyAnswer } from "./verified-logins.js";

/**
 * The broker's thread (threaded-broker.ts starts it): the embedded broker with its sockets, on
 * an event loop of its own. Users' passwords are checked, and board ids looked up, by the owning
 * thread (the user store and the registry live there; a repeated login is answered from this
 * thread's cache of verified logins until the store changes); the manager's in-process client is
 * mirrored here per local client; MQTT over WebSocket arrives as bridged connections.
 */
const port = parentPort;
if (!port) throw new Error("broker-worker.ts runs as a worker thread only");
const settings = workerData as WorkerSettings;

const outbox = createOutbox<FromWorker>((batch, transfer) => port.postMessage(batch, transfer));
const send = (item: Parameters<typeof outbox.push>[0]) => outbox.push(item);

// Log lines go to the owner's destination, as if this thread's logger were a child of its own.
const log = pino(
  { level: settings.logLevel, base: settings.logBindings, ...(settings.logRedact.length > 0 ? { redact: { paths: settings.logRedact, censor: "[redacted]" } } : {}) },
  { write: (line: string) => send({ k: "log", line }) },
);

// Answers the owner gives to this thread's questions.
let nextAsk = 1;
const asked = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
function ask<T>(item: { k: "ask-verify"; username: string; password: string } | { k: "ask-known"; clientId: string }): Promise<T> {
  const id = nextAsk++;
  return new Promise<T>((resolve, reject) => {
    asked.set(id, { resolve: resolve as (v: unknown) => void, reject });
    send({ ...item, id });
  });
}

let usernames = new Set(settings.usernames);
// A repeated login is answered here; the owner is asked only for one not seen since the last change.
const logins = createVerifiedLogins({
  generation: settings.generation,
  ask: (username, password) => ask<VerifyAnswer>({ k: "ask-verify", username, password }),
});
const broker: Broker = createBroker({
  log,
  topicRoot: settings.topicRoot,
  fleetSecret: settings.fleetSecret,
  users: {
    has: (username) => usernames.has(username),
    verify: (username, password) => logins.verify(username, password),
  },
  isKnownBoard: (clientId) => ask<boolean>({ k: "ask-known", clientId }),
  ...(settings.tls ? { tls: settings.tls } : {}),
  ...(settings.cluster ? { cluster: settings.cluster } : {}),
  ...(settings.trustProxy !== undefined ? { trustProxy: settings.trustProxy } : {}),
  ...(settings.maxPacketBytes !== undefined ? { maxPacketBytes: settings.maxPacketBytes } : {}),
});

// This thread's event-loop delay, garbage-collection pauses and heap, told to the owner as each
// window closes (its /metrics: the main thread's own figures do not cover this thread).
const gcPauses = createGcPauses();
gcPauses.start();
createLoopLag({
  onWindow: (sample) => send({ k: "lag", sample, gc: gcPauses.rotate(), heapUsed: getHeapStatistics().used_heap_size }),
  ...(settings.lagWindowMs ? { windowMs: settings.lagWindowMs } : {}),
}).start();

const EVENTS: (keyof BrokerEvents)[] = ["duplicate-client", "auth-failed", "packet-too-large", "connect-shed", "connect-abandoned", "client-connected", "client-disconnected"];
for (const name of EVENTS) broker.events.on(name, (payload: unknown) => send({ k: "event", name, payload }));

const locals = new Map<number, LocalClient>();
function openLocal(l: number): LocalClient {
  const c = broker.localClient({
    message: (t, payload, r) => send({ k: "msg", l, t, r, bytes: payload }),
    error: (err, topic) => log.error({ err, topic }, "local client message failed"),
    up: () => send({ k: "up", l }),
    down: () => send({ k: "down", l }),
  });
  locals.set(l, c);
  return c;
}

const conns = new Map<number, BridgedConn>();
function openConn(c: number, address: string): void {
  const conn = new BridgedConn(address, {
    data: (bytes) => send({ k: "conn-data", c, bytes }),
    end: () => send({ k: "conn-end", c }),
    pause: () => send({ k: "conn-pause", c }),
    resume: () => send({ k: "conn-resume", c }),
  });
  conns.set(c, conn);
  conn.once("close", () => conns.delete(c));
  conn.on("error", (err) => log.debug({ err, address }, "websocket connection error"));
  // The address was decided by the owner (with trustProxy, from the forwarding headers); the
  // broker reads it from the connection's remoteAddress.
  if (!broker.acceptConnection(conn, address)) conn.destroy();
}

function reply(id: number, work: () => unknown): void {
  Promise.resolve()
    .then(work)
    .then(
      (value) => send({ k: "done", id, value }),
      (err: unknown) => {
        const e = err as { message?: string; code?: string };
        send({ k: "done", id, error: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}) });
      },
    );
}

function handle(m: ToWorker, bytes: ArrayBuffer | null): void {
  switch (m.k) {
    case "start":
      reply(m.id, async () => {
        // Subscribed before the listeners open (the broker attaches them first), as in one thread.
        for (const { l, filters } of m.locals) await (locals.get(l) ?? openLocal(l)).subscribe(filters);
        return broker.start(m.opts);
      });
      return;
    case "stop":
      reply(m.id, async () => {
        for (const c of conns.values()) c.destroy();
        await broker.stop();
        for (const c of locals.values()) await c.close();
        locals.clear();
      });
      return;
    case "disconnect-user":
      reply(m.id, () => broker.disconnectUser(m.username, true));
      return;
    case "users":
      usernames = new Set(m.names);
      logins.changed(m.generation);
      return;
    case "answer": {
      const a = asked.get(m.id);
      asked.delete(m.id);
      if (m.error !== undefined) a?.reject(new Error(m.error));
      else a?.resolve(m.value);
      return;
    }
    case "local-open":
      if (!locals.has(m.l)) openLocal(m.l);
      return;
    case "local-sub":
      reply(m.id, () => (locals.get(m.l) ?? openLocal(m.l)).subscribe(m.filters));
      return;
    case "local-unsub":
      reply(m.id, () => locals.get(m.l)?.unsubscribe(m.filters));
      return;
    case "local-close":
      reply(m.id, async () => {
        await locals.get(m.l)?.close();
        locals.delete(m.l);
      });
      return;
    case "pub": {
      const payload = sliceOf(bytes, m);
      reply(m.id, () => {
        const c = locals.get(m.l);
        if (!c) throw new Error("local client closed");
        return c.publish(m.t, payload, { qos: m.q, retain: m.r });
      });
      return;
    }
    case "conn-open":
      openConn(m.c, m.address);
      return;
    case "conn-data":
      conns.get(m.c)?.feed(sliceOf(bytes, m));
      return;
    case "conn-end":
      conns.get(m.c)?.finish();
      return;
    case "conn-pause":
      conns.get(m.c)?.hold();
      return;
    case "conn-resume":
      conns.get(m.c)?.release();
      return;
  }
}

port.on("message", (batch: Batch<ToWorker>) => {
  for (const m of batch.items) {
    try {
      handle(m, batch.bytes);
    } catch (err: unknown) {
      log.error({ err, kind: m.k }, "broker thread: message from the owner failed");
    }
  }
});
