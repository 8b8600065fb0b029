import type { IClientOptions, MqttClient } from "mqtt";
import type { Logger } from "pino";
import { AGENT_CONNECT_TIMEOUT_MS, AGENT_TCP_CONNECT_TIMEOUT_MS, createTopics, PROTOCOL_VERSION, type Status } from "@bbb/shared";
import { DEFAULT_BACKOFF, reconnectStep } from "./backoff.js";
import { createOutbox } from "./outbox.js";
import { createQos0Writer } from "./qos0-writer.js";
import { classifyConnectError, createRefusalLog, safeUrl } from "./refusal-log.js";
import { watchTransport } from "./transport-timeout.js";
import type { Clock } from "../system/clock.js";
import type { SharedIntervals } from "../system/shared-intervals.js";

export type ConnectFn = (url: string, opts: IClientOptions) => MqttClient;

export interface ConnectionDeps {
  urls: readonly string[];
  boardId: string;
  token?: string;
  ca?: string;
  keepaliveS: number;
  topicRoot: string;
  session: string;
  connect: ConnectFn;
  clock: Clock;
  log: Logger;
  random?: () => number;
  backoff?: { baseMs: number; capMs: number };
  /** No CONNACK this long after an attempt began: given up (AGENT_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** TCP not established this long after an attempt began: given up (AGENT_TCP_CONNECT_TIMEOUT_MS). */
  tcpConnectTimeoutMs?: number;
  /** Timers for MQTT.js's keepalive check, shared with the heartbeat (one wake-up per period). */
  intervals?: SharedIntervals;
  /** Spacing of repeated `warn` lines about a broker that refuses the agent (TLS, CONNACK). */
  refusalLogIntervalMs?: number;
}

export type MessageHandler = (topic: string, payload: Buffer, retained: boolean) => void;

/**
 * The agent's MQTT link (docs/protocol.md §"Topic tree"): one MQTT.js
 * client per connection attempt, MQTT 3.1.1, clean:false so QoS 1 commands queued during a short
 * outage still arrive, last will `lost`, birth `online` on every connect, `offline` before a
 * clean stop. MQTT.js's fixed reconnectPeriod is off; reconnects follow our jittered backoff and
 * rotate over the configured broker URLs. An attempt is given up when its TCP connection is not
 * established within 10 s (nothing answers there) or no CONNACK came within 30 s (a busy broker
 * gets the time to answer, docs/protocol.md §"Liveness").
 */
export function createConnection(deps: ConnectionDeps) {
  const topics = createTopics(deps.topicRoot);
  const log = deps.log.child({ module: "mqtt" });
  const random = deps.random ?? Math.random;
  const backoff = { ...DEFAULT_BACKOFF, ...deps.backoff, random };
  const outbox = createOutbox();
  const qos0 = createQos0Writer();
  const refusals = createRefusalLog({ log, clock: deps.clock, intervalMs: deps.refusalLogIntervalMs });
  const messageHandlers: MessageHandler[] = [];
  const connectHandlers: Array<() => void> = [];
  const connectWaiters = new Set<() => void>();
  let client: MqttClient | null = null;
  let gen = 0;
  let connected = false;
  let attempt = 0;
  /** The last attempt's TCP connection was refused outright (nothing listening there). */
  let refused = false;
  let urlIndex = 0;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let frozen = false;
  /** Set by disconnect(): no reconnect is scheduled until reconnectNow(). */
  let held = false;
  /** One retained registry topic the agent reads (its type's IOC declaration, docs/epics.md). */
  let followed: string | null = null;

  const status = (state: Status["state"]): string =>
    JSON.stringify({ v: PROTOCOL_VERSION, state, session: deps.session, ts: deps.clock.now() } satisfies Status);

  const flush = () => {
    const c = client;
    if (!c || !connected) return;
    const g = gen;
    for (const e of outbox.pending(g)) {
      e.sentOn = g;
      c.publish(e.topic, e.payload, { qos: 1, retain: e.retain }, (err) => {
        if (g !== gen) return;
        if (err) e.sentOn = 0;
        else outbox.delivered(e);
      });
    }
  };

  /**
   * MQTT DISCONNECT, then close (MQTT 3.1.1 §3.14.4: the broker discards the will). MQTT.js holds
   * the DISCONNECT back until its in-flight QoS 1 messages are acknowledged; our outbox resends
   * those on the next connection anyway, so that wait is bounded: past timeoutMs the socket is
   * dropped without DISCONNECT (a broker that acknowledges nothing for that long is gone).
   */
  const endCleanly = (c: MqttClient, timeoutMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const t0 = deps.clock.now();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(guard);
        resolve();
      };
      const guard = setTimeout(() => {
        c.end(true);
        finish();
      }, timeoutMs);
      const disconnect = () => {
        c.end(false, {}, finish);
      };
      const inFlight = () => Object.keys(c.outgoing).length > 0;
      if (!inFlight()) return disconnect();
      const poll = () => {
        if (done) return;
        if (!inFlight()) return disconnect();
        if (deps.clock.now() - t0 < timeoutMs) setTimeout(poll, 20);
      };
      poll();
    });

  const schedule = () => {
    if (!running || held || timer) return;
    const step = reconnectStep(attempt, refused, backoff);
    const delay = step.delayMs;
    attempt = step.next;
    log.debug({ delay, attempt, refused }, "reconnect scheduled");
    timer = setTimeout(() => {
      timer = null;
      open();
    }, delay);
  };

  const open = () => {
    if (!running) return;
    const url = deps.urls[urlIndex++ % deps.urls.length] ?? "mqtt://127.0.0.1:1883";
    const myGen = ++gen;
    refused = false;
    let c: MqttClient;
    try {
      c = deps.connect(url, {
        protocolVersion: 4,
        clientId: deps.boardId,
        username: deps.boardId,
        password: deps.token,
        keepalive: deps.keepaliveS,
        clean: false,
        reconnectPeriod: 0,
        connectTimeout: deps.connectTimeoutMs ?? AGENT_CONNECT_TIMEOUT_MS,
        resubscribe: false,
        // MQTT.js would otherwise pre-build 65,536 two-byte Buffers (mqtt-packet's number cache,
        // several MB of heap) at the first write; a board sends a few packets a second.
        writeCache: false,
        ...(deps.intervals ? { timerVariant: deps.intervals } : {}),
        ...(deps.ca ? { ca: deps.ca } : {}),
        will: { topic: topics.status(deps.boardId), payload: Buffer.from(status("lost")), qos: 1, retain: true },
      });
    } catch (e: unknown) {
      // A URL the client library refuses: try the next one after the usual backoff.
      log.error({ err: e, url }, "cannot connect");
      schedule();
      return;
    }
    client = c;
    const stopWatch = watchTransport(c, deps.tcpConnectTimeoutMs ?? AGENT_TCP_CONNECT_TIMEOUT_MS, () =>
      log.debug({ url: safeUrl(url) }, "TCP connect timed out"),
    );
    c.on("connect", () => {
      stopWatch();
      if (myGen !== gen) return;
      connected = true;
      attempt = 0;
      refusals.reset();
      log.info({ url: safeUrl(url) }, "connected");
      c.publish(topics.status(deps.boardId), status("online"), { qos: 1, retain: true });
      // The commands first, in a packet of their own: whatever becomes of the followed type
      // topic's subscription (its retained lookup, a refusal), commands are never held up by it.
      c.subscribe(topics.cmdAll(deps.boardId), { qos: 1 }, (err) => {
        if (err) log.warn({ err }, "subscribe failed");
      });
      if (followed !== null) {
        const topic = followed;
        c.subscribe(topic, { qos: 1 }, (err) => {
          if (err) log.warn({ err, topic }, "subscribe failed");
        });
      }
      flush();
      for (const w of [...connectWaiters]) w();
      for (const h of connectHandlers) h();
    });
    c.on("message", (topic, payload, packet) => {
      if (myGen !== gen || frozen) return;
      for (const h of messageHandlers) h(topic, payload, packet.retain);
    });
    c.on("error", (err) => {
      if (myGen === gen && !connected && (err as { code?: unknown }).code === "ECONNREFUSED") refused = true;
      const refusal = classifyConnectError(err);
      // A wrong CA, a bad certificate or a refused token never heals by retrying: say so at warn,
      // rate-limited (docs/deployment.md §"On a board"); network failures stay at debug.
      if (refusal) refusals.refused(url, refusal);
      else log.debug({ err: err.message, url: safeUrl(url) }, "mqtt error");
    });
    c.on("close", () => {
      stopWatch();
      if (myGen !== gen) return;
      if (connected) log.warn({ url: safeUrl(url) }, "connection lost");
      connected = false;
      client = null;
      gen++;
      c.removeAllListeners("message");
      c.end(true);
      schedule();
    });
  };

  /**
   * Leaves the broker cleanly (DISCONNECT: no will, so nobody sees `lost`) and stays away until
   * reconnectNow(): a network change is made while the agent is not connected (docs/protocol.md §"Commands and
   * results", safe network change). QoS 1 messages published meanwhile wait in the outbox.
   */
  const disconnect = async (timeoutMs = 2000): Promise<void> => {
    held = true;
    if (timer) clearTimeout(timer);
    timer = null;
    const c = client;
    const was = connected;
    client = null;
    connected = false;
    gen++;
    if (!c) return;
    c.removeAllListeners("message");
    if (was && !frozen) await endCleanly(c, timeoutMs);
    else c.end(true);
  };

  return {
    start() {
      if (running) return;
      running = true;
      open();
    },
    /** Clean stop: `offline` (retained) and DISCONNECT, so the broker does not fire the will. */
    async stop(timeoutMs = 2000): Promise<void> {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      const c = client;
      client = null;
      gen++;
      outbox.clear();
      if (!c) return;
      if (connected && !frozen) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, timeoutMs);
          c.publish(topics.status(deps.boardId), status("offline"), { qos: 1, retain: true }, () => {
            clearTimeout(t);
            resolve();
          });
        });
        await endCleanly(c, timeoutMs);
      } else {
        c.end(true);
      }
      connected = false;
    },
    isConnected: () => connected && !frozen,
    onMessage(h: MessageHandler) {
      messageHandlers.push(h);
    },
    onConnect(h: () => void) {
      connectHandlers.push(h);
    },
    /** Keeps one extra topic subscribed across reconnects (null: none); its messages reach onMessage. */
    follow(topic: string | null) {
      if (topic === followed) return;
      const c = client;
      if (followed !== null && c && connected) c.unsubscribe(followed);
      followed = topic;
      if (topic !== null && c && connected)
        c.subscribe(topic, { qos: 1 }, (err) => {
          if (err) log.warn({ err, topic }, "subscribe failed");
        });
    },
    /**
     * QoS 0, only while connected (heartbeats: a stale beat is worth nothing), encoded here and
     * written straight to the client's socket (see qos0-writer.ts).
     */
    publishVolatile(topic: string, payload: string, retain: boolean) {
      if (client && connected && !frozen) qos0.write(client.stream, topic, payload, retain);
    },
    /** QoS 1 through the outbox; resolves true once acknowledged, false if dropped. */
    publishReliable(topic: string, payload: string, retain = false): Promise<boolean> {
      const e = outbox.add(topic, payload, retain);
      const p = new Promise<boolean>((resolve) => e.done.push(resolve));
      flush();
      return p;
    },
    disconnect,
    /**
     * Dials again at once (after a network change), with a fresh birth `online`. A link still up
     * is left with a clean DISCONNECT first, so the broker never fires the will for it.
     */
    async reconnectNow(): Promise<void> {
      if (!running) return;
      if (client) await disconnect();
      if (!running) return;
      held = false;
      attempt = 0;
      if (timer) clearTimeout(timer);
      timer = null;
      open();
    },
    /** Resolves true at the next successful connect after this call, false after timeoutMs. */
    waitForConnect(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
      return new Promise((resolve) => {
        const finish = (ok: boolean) => {
          clearTimeout(t);
          connectWaiters.delete(onConnect);
          signal?.removeEventListener("abort", onAbort);
          resolve(ok);
        };
        const onConnect = () => finish(true);
        const onAbort = () => finish(false);
        const t = setTimeout(() => finish(false), timeoutMs);
        connectWaiters.add(onConnect);
        signal?.addEventListener("abort", onAbort);
      });
    },
    /** Simulator fault: behave like a hung process (no traffic handled, nothing sent). */
    setFrozen(f: boolean) {
      frozen = f;
    },
  };
}
export type Connection = ReturnType<typeof createConnection>;
