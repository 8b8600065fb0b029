import { spawnSync } from "node:child_process";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBroker, createUserStore, type Broker } from "@bbb/broker";
import { MQTT_WS_PATH } from "@bbb/shared";
import { ADMIN_PASSWORD, FLEET_SECRET, REPO, request, startTestServer, type TestServer } from "./helpers.js";
import { attachWsProxy } from "../src/ops/ws-proxy.js";
import { freePort } from "./helpers.js";
import { opsServer } from "./ops-fixtures.js";

describe("roles: a manager against a separate broker tier", () => {
  let dir: string;
  let broker: Broker;
  let brokerHttp: http.Server;
  let srv: TestServer;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-ops-roles-"));
    const log = pino({ level: "silent" });
    const users = createUserStore({ file: join(dir, "users.json"), log });
    await users.load();
    await users.ensureAdmin(ADMIN_PASSWORD);
    broker = createBroker({ log, topicRoot: "bbb", fleetSecret: FLEET_SECRET, users });
    const b = await broker.start({ mqttPort: 0, bind: "127.0.0.1" });
    // The broker role's WebSocket endpoint (broker/src/main.ts serves it on BBB_HTTP_PORT).
    brokerHttp = http.createServer((_q, r) => r.writeHead(404).end());
    broker.attachWebSocket(brokerHttp, MQTT_WS_PATH);
    await new Promise<void>((r) => brokerHttp.listen(0, "127.0.0.1", r));
    const wsPort = (brokerHttp.address() as AddressInfo).port;
    srv = await startTestServer(
      {
        role: "manager",
        mqttUrl: `mqtt://127.0.0.1:${b.mqttPort}`,
        mqttWsUrl: `ws://127.0.0.1:${wsPort}${MQTT_WS_PATH}`,
      },
      { ...opsServer(), dataDir: join(dir, "manager") },
    );
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await srv?.server.stop();
    brokerHttp?.closeAllConnections();
    brokerHttp?.close();
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("starts no broker of its own and forwards /mqtt WebSocket upgrades to the broker tier", async () => {
    expect(srv.server.broker).toBeNull();
    const ws = mqtt.connect(`${srv.started.urls.ws}`, {
      username: "admin",
      password: ADMIN_PASSWORD,
      clientId: "dash-ws-proxy",
      reconnectPeriod: 0,
    });
    clients.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("connect", () => resolve());
      ws.once("error", reject);
    });
    // A request through the proxy and the broker tier to the manager and back.
    const r = await request(ws, "server.info", {});
    expect(r).toMatchObject({ status: "ok", data: { broker: "external" } });
    const bad = mqtt.connect(`${srv.started.urls.ws}`, {
      username: "admin",
      password: "nope-nope",
      reconnectPeriod: 0,
    });
    await new Promise<void>((resolve) => bad.once("error", () => resolve()));
    bad.end(true);
    const ready = await fetch(`${srv.http}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      checks: { broker: { ok: true, mode: "external" }, mqtt: { ok: true } },
    });
  });

  it("the manager program refuses the broker role and a manager role without a broker URL", () => {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [join(REPO, "manager/dist/main.js")], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", BBB_DATA_DIR: join(dir, "refused"), ...env },
        encoding: "utf8",
        timeout: 20_000,
      });
    const broker = run({ BBB_ROLE: "broker" });
    expect(broker.status).toBe(2);
    expect(broker.stderr).toContain("BBB_ROLE=broker runs broker/dist/main.js");
    const manager = run({ BBB_ROLE: "manager" });
    expect(manager.status).toBe(2);
    expect(manager.stderr).toContain("role manager needs mqttUrl");
  });

  it("answers 502 when the broker tier's WebSocket endpoint is down", async () => {
    const front = http.createServer((_q, r) => r.writeHead(404).end());
    const detach = attachWsProxy(front, {
      target: `ws://127.0.0.1:${await freePort()}/mqtt`,
      path: MQTT_WS_PATH,
      log: pino({ level: "silent" }),
    });
    await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
    const port = (front.address() as AddressInfo).port;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request({
        port,
        host: "127.0.0.1",
        path: MQTT_WS_PATH,
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      req.on("response", (res) => resolve(res.statusCode));
      req.on("upgrade", () => resolve(101));
      req.on("error", reject);
      req.end();
    });
    detach();
    front.close();
    expect(status).toBe(502);
  });
});
