import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { pino, type Logger } from "pino";
import { deriveBoardToken } from "@bbb/broker";
import { configSchema, type ConfigInput } from "../src/config/schema.js";
import { createServer, type BbbServer, type StartedServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createOpsExtension } from "../src/ops/ops-extension.js";
import { ADMIN_PASSWORD, FLEET_SECRET, topics } from "./helpers.js";

/** The all-in-one server with the front doors and the ops extension, as main.ts wires it. */
export async function startOpsServer(
  over: Partial<ConfigInput> = {},
  opts: { dataDir?: string; log?: Logger } = {},
): Promise<{ server: BbbServer; started: StartedServer; dataDir: string; http: string }> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "bbb-ops-")));
  const config = configSchema.parse({
    mqttPort: 0,
    httpPort: 0,
    cmdPort: 0,
    bind: "127.0.0.1",
    dataDir,
    fleetSecret: FLEET_SECRET,
    adminPassword: ADMIN_PASSWORD,
    ...over,
  });
  const server = createServer({
    config,
    log: opts.log ?? pino({ level: "silent" }),
    staticDir: null,
    settleMs: 200,
    extensions: [createFrontExtension(), createOpsExtension()],
  });
  const started = await server.start();
  return { server, started, dataDir, http: started.urls.http };
}

export const beat = (id: string, session: string, seq: number) =>
  JSON.stringify({
    v: 1,
    id,
    session,
    seq,
    ts: Date.now(),
    hostname: `host-${id}`,
    ip: "10.128.20.5",
    type: "mbtemp",
    uptime: seq,
  });
export const status = (state: string, session: string) => JSON.stringify({ v: 1, state, session, ts: Date.now() });

/** A board speaking raw MQTT with its own token, a `lost` will and its birth published. */
export async function connectBoard(
  url: string,
  id: string,
  session: string,
  fleetSecret = FLEET_SECRET,
): Promise<MqttClient> {
  const c = mqtt.connect(url, {
    clientId: id,
    username: id,
    password: deriveBoardToken(fleetSecret, id),
    reconnectPeriod: 0,
    keepalive: 2,
    will: { topic: topics.status(id), payload: Buffer.from(status("lost", session)), qos: 1, retain: true },
  });
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  await c.publishAsync(topics.status(id), status("online", session), { qos: 1, retain: true });
  return c;
}

/** Parses the text exposition into `name{labels}` → value (labels as written). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}
