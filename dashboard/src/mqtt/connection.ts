import { CodedError } from "@bbb/shared";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { shallowRef, type Ref } from "vue";
import { DashboardErrorCodes } from "../errors.js";
import { backoffDelay } from "./backoff.js";
import { createSilenceWatch } from "./silence-watch.js";

export type ConnectionStatus = "connecting" | "online" | "reconnecting" | "offline";

export interface Credentials {
  url: string;
  username: string;
  password: string;
}

export interface ConnectionDeps {
  /** MQTT.js's connect; injected so tests can hand in a client of their own. */
  connect?: (url: string, opts: IClientOptions) => MqttClient;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  now?: () => number;
}

export interface Connection {
  readonly clientId: string;
  readonly status: Ref<ConnectionStatus>;
  /** Why the last attempt failed (shown next to the status). */
  readonly lastError: Ref<string | null>;
  /** When the connection was last up: the age of the data on screen while disconnected. */
  readonly lastOnline: Ref<number | null>;
  /** Connected, but the server has not answered for 2 s (silence-watch.ts): the data may be stale. */
  readonly silent: Ref<boolean>;
  start(): void;
  stop(): Promise<void>;
  onMessage(fn: (topic: string, payload: Uint8Array) => void): () => void;
  /** QoS 1 by default; 0 for streams that a retained snapshot repairs after a reconnect. */
  subscribe: (filter: string, qos?: 0 | 1) => void;
  unsubscribe: (filter: string) => void;
  publish: (topic: string, payload: string) => Promise<void>;
}

/** CONNACK return codes 4 and 5 (MQTT 3.1.1 §3.2.2.3): retrying with the same password is pointless. */
function isAuthError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 4 || code === 5 || code === 134 || code === 135;
}

export function randomClientId(random: () => number = Math.random): string {
  let s = "";
  for (let i = 0; i < 12; i++) s += Math.floor(random() * 36).toString(36);
  return `dash-${s}`;
}

/**
 * Owns the one MQTT client of the page: connects with the operator's credentials, reconnects
 * with back-off (MQTT.js's own fixed-period reconnect is turned off), re-subscribes after
 * every connect (clean sessions: the retained registry gives the full picture again), and
 * exposes the status as a ref.
 */
export function createConnection(creds: Credentials, deps: ConnectionDeps = {}): Connection {
  const connect = deps.connect ?? ((url, opts) => mqtt.connect(url, opts));
  const random = deps.random ?? Math.random;
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = deps.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const now = deps.now ?? Date.now;
  const clientId = randomClientId(random);
  const status = shallowRef<ConnectionStatus>("offline");
  const lastError = shallowRef<string | null>(null);
  const lastOnline = shallowRef<number | null>(null);
  const filters = new Map<string, 0 | 1>();
  const handlers = new Set<(topic: string, payload: Uint8Array) => void>();
  let client: MqttClient | null = null;
  const watch = createSilenceWatch({ ping: () => client?.sendPing(), now });
  let attempt = 0;
  let timer: unknown = null;
  let stopped = false;

  const scheduleReconnect = () => {
    if (stopped || timer !== null || client === null) return;
    status.value = "reconnecting";
    const delay = backoffDelay(attempt++, random);
    timer = setTimer(() => {
      timer = null;
      if (!stopped && client && !client.connected) client.reconnect();
    }, delay);
  };

  return {
    clientId,
    status,
    lastError,
    lastOnline,
    silent: watch.silent,
    start() {
      if (client) return;
      stopped = false;
      status.value = "connecting";
      client = connect(creds.url, {
        clientId,
        username: creds.username,
        password: creds.password,
        protocolVersion: 4,
        clean: true,
        keepalive: 20,
        connectTimeout: 8000,
        reconnectPeriod: 0,
        resubscribe: false,
      });
      client.on("connect", () => {
        attempt = 0;
        lastError.value = null;
        status.value = "online";
        lastOnline.value = now();
        watch.start();
        if (filters.size > 0) client?.subscribe(Object.fromEntries([...filters].map(([f, qos]) => [f, { qos }])));
      });
      client.on("packetreceive", () => watch.packet());
      client.on("message", (topic, payload) => {
        for (const h of handlers) h(topic, payload);
      });
      client.on("error", (e: unknown) => {
        lastError.value = e instanceof Error ? e.message : String(e);
        if (isAuthError(e)) {
          lastError.value = "the server refused these credentials";
          stopped = true;
          status.value = "offline";
          client?.end(true);
        }
      });
      client.on("close", () => {
        watch.stop();
        if (status.value === "online") lastOnline.value = now();
        if (stopped) status.value = "offline";
        else scheduleReconnect();
      });
    },
    async stop() {
      stopped = true;
      watch.stop();
      if (timer !== null) clearTimer(timer);
      timer = null;
      const c = client;
      client = null;
      status.value = "offline";
      if (c) await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
    },
    onMessage(fn) {
      handlers.add(fn);
      return () => handlers.delete(fn);
    },
    subscribe(filter, qos = 1) {
      if (filters.get(filter) === qos) return;
      filters.set(filter, qos);
      if (client?.connected) client.subscribe(filter, { qos });
    },
    unsubscribe(filter) {
      if (!filters.delete(filter)) return;
      if (client?.connected) client.unsubscribe(filter);
    },
    publish(topic, payload) {
      const c = client;
      if (!c || !c.connected) return Promise.reject(new CodedError(DashboardErrorCodes.NOT_CONNECTED, "not connected to the broker"));
      return new Promise((resolve, reject) =>
        c.publish(topic, payload, { qos: 1, retain: false }, (err) => (err ? reject(err) : resolve())),
      );
    },
  };
}
