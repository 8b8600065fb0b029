import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { agentConfigSchema, createAgent } from "@bbb/agent";
import { createFakeRoot, createLiveBoard, createRecordingExec, type FakeRoot } from "@bbb/agent/sim";
import { deriveBoardToken } from "@bbb/broker";
import { configSchema, createServer, silentLogger, type Extension } from "@bbb/manager";
import { createTopics, type Role } from "@bbb/shared";
import mqtt, { type MqttClient } from "mqtt";

export const FLEET_SECRET = "fleet-secret-for-dashboard-tests-0123";
export const ADMIN_PASSWORD = "admin-password-for-dashboard-tests";
export const topics = createTopics("bbb");
const REPO = resolve(import.meta.dirname, "../../..");
export const AGENT_MAIN = join(REPO, "agent/dist/main.js");

export async function waitFor<T>(fn: () => T | null | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The real all-in-one server (broker + manager + HTTP with the dashboard) on port 0, temp data dir. */
export async function startServer(staticDir: string | null, over: Record<string, unknown> = {}, extensions?: Extension[]) {
  const dataDir = await mkdtemp(join(tmpdir(), "bbb-dash-e2e-"));
  const config = configSchema.parse({ mqttPort: 0, httpPort: 0, bind: "127.0.0.1", dataDir, fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD, ...over });
  const server = createServer({ config, log: silentLogger(), staticDir, settleMs: 300, ...(extensions ? { extensions } : {}) });
  const started = await server.start();
  return {
    server,
    started,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function connectAdmin(mqttUrl: string): Promise<MqttClient> {
  const c = mqtt.connect(mqttUrl, { username: "admin", password: ADMIN_PASSWORD, clientId: `admin-${Math.random().toString(36).slice(2, 8)}`, reconnectPeriod: 0, protocolVersion: 4 });
  await new Promise<void>((res, rej) => {
    c.once("connect", () => res());
    c.once("error", rej);
  });
  await c.subscribeAsync(topics.managerResponse(c.options.clientId ?? ""), { qos: 1 });
  return c;
}

/** A manager request over MQTT, as the dashboard makes it. */
export function request(c: MqttClient, method: string, params: unknown, timeoutMs = 15_000): Promise<{ status: string; data?: unknown; error?: { code: string; message: string } }> {
  const respTopic = topics.managerResponse(c.options.clientId ?? "");
  const transaction = Math.random().toString(36).slice(2);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no response to ${method}`)), timeoutMs);
    const onMsg = (topic: string, payload: Buffer) => {
      if (topic !== respTopic) return;
      const r = JSON.parse(payload.toString()) as { transaction: string; status: string };
      if (r.transaction !== transaction) return;
      clearTimeout(timer);
      c.off("message", onMsg);
      resolve(r);
    };
    c.on("message", onMsg);
    c.publish(topics.managerRequest(method), JSON.stringify({ transaction, params }), { qos: 1 });
  });
}

/** A request that must succeed (test setup). */
export async function ok(c: MqttClient, method: string, params: unknown): Promise<unknown> {
  const r = await request(c, method, params);
  if (r.status !== "ok") throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.data;
}

export async function addUser(admin: MqttClient, username: string, role: Role, password: string): Promise<void> {
  const r = await request(admin, "users.upsert", { username, role, password });
  if (r.status !== "ok") throw new Error(`users.upsert ${username}: ${JSON.stringify(r.error)}`);
}

/** An in-process board: the real agent code on a fake root with a recording exec (nothing on this machine changes). */
export async function startBoard(
  mqttUrl: string,
  index: number,
  hostname: string,
  ip: string,
  cfg: Record<string, unknown> = {},
  /** What apply-node would have adopted (type, PV prefixes), in the agent's state dir before it starts. */
  node?: { type?: string; pvPrefix?: string[] },
) {
  const root = await createFakeRoot({ index, hostname, ip });
  if (node) writeFileSync(join(root.stateDir, "node.json"), JSON.stringify(node));
  const exec = createRecordingExec({ root: root.root, mac: root.mac, hostname: root.options.hostname, ip: root.options.ip, gateway: root.options.gateway });
  const config = {
    ...agentConfigSchema.parse({
      mqttUrls: [mqttUrl], token: deriveBoardToken(FLEET_SECRET, root.boardId), heartbeatMs: 1000,
      rootPrefix: root.root, stateDir: root.stateDir, logLevel: "silent", ...cfg,
    }),
    boardId: root.boardId,
  };
  const agent = createAgent({ config, log: silentLogger(), exec: exec.exec, connect: mqtt.connect, interfaces: exec.interfaces, backoff: { baseMs: 200, capMs: 1000 } });
  await agent.start();
  return { boardId: root.boardId, root, exec, stop: () => agent.stop() };
}

/**
 * A demo board (the same simulated board `npm run demo` runs): a reboot takes it away for
 * `rebootDownMs` and back with a new session, a set-ip changes the address it reports.
 */
export async function startLiveBoard(mqttUrl: string, index: number, hostname: string, ip: string, rebootDownMs = 2500) {
  const b = await createLiveBoard({
    index, hostname, ip, mqttUrl, token: (id) => deriveBoardToken(FLEET_SECRET, id), connect: mqtt.connect, log: silentLogger(),
    heartbeatMs: 1000, rebootDownMs, backoff: { baseMs: 200, capMs: 1000 },
  });
  await b.start();
  return b;
}

/** The real agent as its own process: the board that gets SIGKILLed (no `offline`, its socket just dies). */
export async function spawnBoard(mqttUrl: string, index: number, hostname: string, ip: string): Promise<{ boardId: string; root: FakeRoot; child: ChildProcess }> {
  const root = await createFakeRoot({ index, hostname, ip });
  writeFileSync(join(root.root, "agent-config.json"), "{}");
  const child = spawn(process.execPath, [AGENT_MAIN], {
    env: {
      PATH: process.env.PATH, BBB_AGENT_CONFIG: join(root.root, "agent-config.json"), BBB_MQTT_URL: mqttUrl, BBB_BOARD_ID: root.boardId,
      BBB_TOKEN: deriveBoardToken(FLEET_SECRET, root.boardId), BBB_ROOT_PREFIX: root.root, BBB_STATE_DIR: root.stateDir, BBB_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { boardId: root.boardId, root, child };
}

export const agentBuilt = () => existsSync(AGENT_MAIN);
