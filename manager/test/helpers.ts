import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import mqtt, { type MqttClient } from "mqtt";
import { pino, type Logger } from "pino";
import { agentConfigSchema, createAgent } from "@bbb/agent";
import { createFakeRoot, createRecordingExec, type FakeRoot, type RecordingExec } from "@bbb/agent/sim";
import { deriveBoardToken } from "@bbb/broker";
import { createTopics, hostViewSchema, type HostView } from "@bbb/shared";
import { configSchema, type ConfigInput } from "../src/config/schema.js";
import { createServer, type BbbServer, type StartedServer } from "../src/create-server.js";

export const REPO = resolve(import.meta.dirname, "../..");
export const ADMIN_PASSWORD = "admin-password-for-tests";
export const FLEET_SECRET = "fleet-secret-for-tests-0123456789";
export const topics = createTopics("bbb");

type Maybe<T> = T | null | undefined | false;
export async function waitFor<T>(
  fn: () => Maybe<T> | Promise<Maybe<T>>,
  timeoutMs: number,
  what = "condition",
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pino logger whose lines are kept in memory (tests that check for a log line). */
export function captureLogger(level = "info"): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString("utf8").split("\n"))
        if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level }, stream), lines };
}

export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A self-signed certificate for localhost and 127.0.0.1 (EC P-256, one day), made by openssl:
 * `key.pem` and `cert.pem` in `dir`. Clients trust it by passing cert.pem as their CA.
 */
export function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", key, "-out", cert,
    ],
    { stdio: "ignore" },
  );
  return { key, cert };
}

export interface TestServer {
  server: BbbServer;
  started: StartedServer;
  dataDir: string;
  mqttUrl: string;
  http: string;
  /** Stops the server; removes the data dir only when startTestServer made it. */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  log?: Logger;
  /** The server's extensions (front doors, ops, projects); none by default. */
  extensions?: ServerOptions["extensions"];
  /** Data dir to use (kept by stop()); default a fresh temp dir. */
  dataDir?: string;
  /** Default 300 ms. */
  settleMs?: number;
  /** Dashboard files to serve; default none. */
  staticDir?: string | null;
}

type ServerOptions = Parameters<typeof createServer>[0];

/** A test server's configuration: every port 0 on 127.0.0.1, the tests' secrets, `dataDir`. */
export function testConfig(dataDir: string, over: Partial<ConfigInput> = {}) {
  return configSchema.parse({
    mqttPort: 0,
    httpPort: 0,
    cmdPort: 0,
    bind: "127.0.0.1",
    dataDir,
    fleetSecret: FLEET_SECRET,
    adminPassword: ADMIN_PASSWORD,
    ...over,
  });
}

/** The real all-in-one server on port 0 (every port) with a temp data dir. */
export async function startTestServer(over: Partial<ConfigInput> = {}, opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "bbb-mgr-test-")));
  const config = testConfig(dataDir, over);
  const server = createServer({
    config,
    log: opts.log ?? pino({ level: "silent" }),
    staticDir: opts.staticDir ?? null,
    settleMs: opts.settleMs ?? 300,
    ...(opts.extensions ? { extensions: opts.extensions } : {}),
  });
  const started = await server.start();
  return {
    server,
    started,
    dataDir,
    mqttUrl: started.urls.mqtt,
    http: started.urls.http,
    async stop() {
      await server.stop();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function connectClient(
  url: string,
  username: string,
  password: string,
  clientId?: string,
): Promise<MqttClient> {
  const c = mqtt.connect(url, {
    username,
    password,
    clientId: clientId ?? `${username}-${Math.random().toString(36).slice(2, 8)}`,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  return c;
}

/** Follows `<root>/registry/hosts/+`: the latest view of each board and when it arrived. */
export async function watchHosts(c: MqttClient) {
  const views = new Map<string, HostView & { at: number }>();
  c.on("message", (topic, payload) => {
    const m = /^bbb\/registry\/hosts\/([^/]+)$/.exec(topic);
    if (!m || !m[1]) return;
    if (payload.byteLength === 0) return void views.delete(m[1]);
    const v = hostViewSchema.parse(JSON.parse(payload.toString()));
    views.set(m[1], { ...v, at: Date.now() });
  });
  await c.subscribeAsync(`${topics.root}/registry/hosts/+`, { qos: 1 });
  return {
    views,
    waitState: (id: string, state: string, timeoutMs: number) =>
      waitFor(() => (views.get(id)?.state === state ? views.get(id) : null), timeoutMs, `${id} ${state}`).catch(
        (e: unknown) => {
          const v = views.get(id);
          throw new Error(
            `${(e as Error).message}; last view: ${v ? JSON.stringify({ state: v.state, problems: v.problems, hb: v.heartbeat }) : "none"}`,
          );
        },
      ),
  };
}

/** A request/response call over MQTT (the dashboard's front door). */
export async function request(
  c: MqttClient,
  method: string,
  params: unknown,
  timeoutMs = 30_000,
): Promise<{ status: string; data?: unknown; error?: { code: string; message: string } }> {
  const clientId = c.options.clientId as string;
  const transaction = Math.random().toString(36).slice(2);
  const respTopic = topics.managerResponse(clientId);
  await c.subscribeAsync(respTopic, { qos: 1 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no response to ${method}`)), timeoutMs);
    const onMsg = (topic: string, payload: Buffer) => {
      if (topic !== respTopic) return;
      const r = JSON.parse(payload.toString()) as {
        transaction: string;
        status: string;
        data?: unknown;
        error?: { code: string; message: string };
      };
      if (r.transaction !== transaction) return;
      clearTimeout(timer);
      c.off("message", onMsg);
      resolve(r);
    };
    c.on("message", onMsg);
    c.publish(topics.managerRequest(method), JSON.stringify({ transaction, params }), { qos: 1 });
  });
}

export interface SimBoard {
  boardId: string;
  root: FakeRoot;
  exec: RecordingExec;
  agent: ReturnType<typeof createAgent>;
  stop(): Promise<void>;
}

/** An in-process board running the real agent code on a fake root with a recording exec. */
export async function startSimBoard(
  mqttUrl: string,
  index: number,
  opts: { hostname?: string; ip?: string; heartbeatMs?: number; session?: string; root?: FakeRoot } = {},
): Promise<SimBoard> {
  const root = opts.root ?? (await createFakeRoot({ index, hostname: opts.hostname, ip: opts.ip }));
  const exec = createRecordingExec({
    root: root.root,
    mac: root.mac,
    hostname: root.options.hostname,
    ip: root.options.ip,
    gateway: root.options.gateway,
  });
  const config = {
    ...agentConfigSchema.parse({
      mqttUrls: [mqttUrl],
      token: deriveBoardToken(FLEET_SECRET, root.boardId),
      heartbeatMs: opts.heartbeatMs ?? 1000,
      rootPrefix: root.root,
      stateDir: root.stateDir,
      logLevel: "silent",
    }),
    boardId: root.boardId,
  };
  const agent = createAgent({
    config,
    log: pino({ level: "silent" }),
    exec: exec.exec,
    connect: mqtt.connect,
    interfaces: exec.interfaces,
    ...(opts.session ? { session: opts.session } : {}),
    backoff: { baseMs: 200, capMs: 1000 },
  });
  await agent.start();
  return {
    boardId: root.boardId,
    root,
    exec,
    agent,
    async stop() {
      await agent.stop();
    },
  };
}

/** The real agent as a process (`node agent/dist/main.js`) on a fake root. */
export function spawnAgent(mqttUrl: string, root: FakeRoot, env: Record<string, string> = {}): ChildProcess {
  // An explicit, empty config file: the default /etc/bbb-agent/config.json of this machine is never read.
  writeFileSync(join(root.root, "agent-config.json"), "{}");
  return spawn(process.execPath, [join(REPO, "agent/dist/main.js")], {
    env: {
      PATH: process.env.PATH,
      BBB_AGENT_CONFIG: join(root.root, "agent-config.json"),
      BBB_MQTT_URL: mqttUrl,
      BBB_BOARD_ID: root.boardId,
      BBB_TOKEN: deriveBoardToken(FLEET_SECRET, root.boardId),
      BBB_ROOT_PREFIX: root.root,
      BBB_STATE_DIR: root.stateDir,
      BBB_LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
}
