import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBroker, createUserStore, type Broker } from "@bbb/broker";
import { ADMIN_PASSWORD, FLEET_SECRET, freePort, topics, waitFor, startTestServer, type TestServer } from "./helpers.js";
import { beat, connectBoard, parseMetrics, opsServer } from "./ops-fixtures.js";

const REDIS = "/usr/bin/redis-server";
const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });

describe.skipIf(!existsSync(REDIS))("BBB_REDIS_URL: the embedded broker joins a Redis-backed broker tier", () => {
  let redis: ChildProcess;
  let dir: string;
  let other: Broker;
  let otherUrl: string;
  let srv: TestServer;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-ops-cluster-"));
    const port = await freePort();
    redis = spawn(REDIS, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    await waitFor(() => canConnect(port), 5000, "redis");
    const redisUrl = `redis://127.0.0.1:${port}`;
    srv = await startTestServer({ redisUrl }, { ...opsServer(), dataDir: join(dir, "manager") });
    const log = pino({ level: "silent" });
    const users = createUserStore({ file: join(dir, "users.json"), log });
    await users.load();
    await users.ensureAdmin(ADMIN_PASSWORD);
    other = createBroker({ log, topicRoot: "bbb", fleetSecret: FLEET_SECRET, users, cluster: { redisUrl } });
    otherUrl = `mqtt://127.0.0.1:${(await other.start({ mqttPort: 0, bind: "127.0.0.1" })).mqttPort}`;
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await srv?.server.stop();
    await other?.stop();
    if (redis && redis.exitCode === null) {
      const exited = new Promise((r) => redis.once("exit", r));
      redis.kill("SIGTERM");
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("a board on another broker replica shows up in the manager's registry", async () => {
    const id = "00000000d001";
    const board = await connectBoard(otherUrl, id, "c1");
    clients.push(board);
    let seq = 0;
    const m = await waitFor(
      async () => {
        await board.publishAsync(topics.heartbeat(id), beat(id, "c1", ++seq), { qos: 1, retain: true });
        const r = await fetch(`${srv.http}/metrics`);
        const x = parseMetrics(await r.text());
        return (x.get('bbb_boards{state="unregistered"}') ?? 0) === 1 ? x : null;
      },
      10_000,
      "the board in the registry",
    );
    expect(m.get("bbb_heartbeats_total")).toBeGreaterThanOrEqual(1);
  });
});
