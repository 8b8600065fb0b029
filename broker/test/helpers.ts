import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import pino from "pino";
import { afterAll, afterEach, beforeAll } from "vitest";
import { createBroker, createUserStore, deriveBoardToken, deriveManagerPassword, type Broker, type BrokerDeps, type UserStore } from "../src/index.js";

export const ROOT = "bbb";
export const SECRET = "test-fleet-secret-0123456789abcdef";
export const PASSWORDS = { vera: "viewer-pass-1", otto: "operator-pass-1", ada: "admin-pass-12" } as const;
export const MOSQUITTO = existsSync("/usr/bin/mosquitto_pub") && existsSync("/usr/bin/mosquitto_sub");

export const boardToken = (id: string) => deriveBoardToken(SECRET, id);
export const managerPassword = () => deriveManagerPassword(SECRET);

export interface TestBroker {
  broker: Broker;
  port: number;
  mqttsPort: number | null;
  users: UserStore;
  dir: string;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A real broker on port 0 with three users (viewer vera, operator otto, admin ada). */
export async function startBroker(extra: Partial<BrokerDeps> & { mqttsPort?: number } = {}): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), "bbb-broker-"));
  const logs: Record<string, unknown>[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
  const users = createUserStore({ file: join(dir, "users.json"), log });
  await users.load();
  await Promise.all([
    users.upsert("vera", "viewer", PASSWORDS.vera),
    users.upsert("otto", "operator", PASSWORDS.otto),
    users.upsert("ada", "admin", PASSWORDS.ada),
  ]);
  const { mqttsPort: wantMqtts, ...rest } = extra;
  const broker = createBroker({ log, topicRoot: ROOT, fleetSecret: SECRET, users, authThrottle: { baseMs: 20, maxMs: 100 }, ...rest });
  const ports = await broker.start({ mqttPort: 0, bind: "127.0.0.1", ...(wantMqtts !== undefined ? { mqttsPort: wantMqtts } : {}) });
  return {
    broker,
    port: ports.mqttPort,
    mqttsPort: ports.mqttsPort,
    users,
    dir,
    logs,
    async stop() {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One broker for a test file: started before its tests, stopped after them, with every client a
 * test opened closed after each test. The returned object is filled in before the first test.
 */
export function useBroker(extra: Parameters<typeof startBroker>[0] = {}): TestBroker {
  const tb = {} as TestBroker;
  beforeAll(async () => void Object.assign(tb, await startBroker(extra)));
  afterEach(closeAll);
  afterAll(async () => tb.stop?.());
  return tb;
}

const open = new Set<MqttClient>();

/** MQTT.js client without reconnects; rejects on a refused CONNACK. */
export async function connect(url: string | number, opts: IClientOptions): Promise<MqttClient> {
  const target = typeof url === "number" ? `mqtt://127.0.0.1:${url}` : url;
  const client = await mqtt.connectAsync(target, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...opts });
  open.add(client);
  return client;
}

export const asBoard = (port: number | string, id: string, extra: IClientOptions = {}) =>
  connect(port, { clientId: id, username: id, password: boardToken(id), ...extra });
export const asUser = (port: number | string, name: keyof typeof PASSWORDS, extra: IClientOptions = {}) =>
  connect(port, { clientId: `${name}-${Math.random().toString(36).slice(2, 8)}`, username: name, password: PASSWORDS[name], ...extra });

export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((c) => c.endAsync(true).catch(() => undefined)));
  open.clear();
}

/** Collects messages of a client (topic and payload text). */
export function collect(client: MqttClient): { topic: string; payload: string; retain: boolean }[] {
  const got: { topic: string; payload: string; retain: boolean }[] = [];
  client.on("message", (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain }));
  return got;
}

/** Resolves once the client's connection is closed (by the broker). */
export function closed(client: MqttClient, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    const t = setTimeout(() => resolve(false), timeoutMs);
    client.once("close", () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn is true or the time is up. */
export async function until(fn: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (fn()) return true;
    await sleep(20);
  }
  return fn();
}

/** Runs a Mosquitto client program (argv array, no shell). */
export function mosquitto(
  program: "mosquitto_pub" | "mosquitto_sub",
  args: string[],
  timeoutMs = 5000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(`/usr/bin/${program}`, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Whether the broker grants a subscription (MQTT.js rejects a SUBACK of 0x80). */
export async function granted(client: MqttClient, filter: string, qos: 0 | 1 = 0): Promise<boolean> {
  try {
    const g = await client.subscribeAsync(filter, { qos });
    return g.every((x) => x.qos !== 128);
  } catch {
    return false;
  }
}
