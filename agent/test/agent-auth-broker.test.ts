import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import mqtt, { type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { createBroker, createUserStore, deriveBoardToken, type Broker } from "@bbb/broker";
import { simMac } from "../src/sim/fake-root.js";
import { boardToken } from "../src/sim/token.js";
import { startSimAgent } from "./helpers/sim-agent.js";

const SECRET = "agent-test-fleet-secret-0123456789";
const OPERATOR = { name: "olga", password: "operator-pass-42" };
const topics = createTopics("bbb");
const MOSQUITTO = existsSync("/usr/bin/mosquitto_pub");
const run = promisify(execFile);

/** The agent against the project's authenticated broker (tokens, ACL) and the Mosquitto clients. */
describe("agent with the authenticated broker", () => {
  let broker: Broker;
  let dir: string;
  let port = 0;
  let operator: MqttClient;
  const got: { topic: string; payload: string }[] = [];
  const sims: Awaited<ReturnType<typeof startSimAgent>>[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-agent-auth-"));
    const log = pino({ level: "silent" });
    const users = createUserStore({ file: join(dir, "users.json"), log });
    await users.load();
    await users.upsert(OPERATOR.name, "operator", OPERATOR.password);
    broker = createBroker({
      log,
      topicRoot: "bbb",
      fleetSecret: SECRET,
      users,
      authThrottle: { baseMs: 20, maxMs: 100 },
    });
    port = (await broker.start({ mqttPort: 0, bind: "127.0.0.1" })).mqttPort;
    operator = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      protocolVersion: 4,
      clientId: `olga-${process.pid}`,
      username: OPERATOR.name,
      password: OPERATOR.password,
      reconnectPeriod: 0,
    });
    operator.on("message", (topic, payload) => got.push({ topic, payload: payload.toString() }));
    await operator.subscribeAsync(["bbb/+/status", "bbb/+/heartbeat", "bbb/+/result/+"], { qos: 1 });
  });
  afterAll(async () => {
    for (const s of sims) await s.cleanup();
    await operator?.endAsync(true);
    await broker?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const waitFor = (pred: (m: { topic: string; payload: string }) => boolean, ms = 10_000) =>
    new Promise<{ topic: string; payload: string }>((resolve, reject) => {
      const t0 = Date.now();
      const tick = () => {
        const m = got.find(pred);
        if (m) return resolve(m);
        if (Date.now() - t0 > ms) return reject(new Error("timeout"));
        setTimeout(tick, 25);
      };
      tick();
    });

  it("derives the same token as the broker", () => {
    expect(boardToken(SECRET, "a0f6fd8b1c22")).toBe(deriveBoardToken(SECRET, "a0f6fd8b1c22"));
  });

  it("connects with its token, publishes birth and heartbeats, and answers a command sent with mosquitto_pub", async () => {
    const boardId = simMac(61).replaceAll(":", "");
    const s = await startSimAgent(
      `mqtt://127.0.0.1:${port}`,
      { token: deriveBoardToken(SECRET, boardId) },
      { index: 61 },
    );
    sims.push(s);
    const id = s.config.boardId;
    await waitFor((m) => m.topic === topics.status(id) && JSON.parse(m.payload).state === "online");
    await waitFor((m) => m.topic === topics.heartbeat(id));
    if (!MOSQUITTO) return;
    await run("mosquitto_pub", [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-u",
      OPERATOR.name,
      "-P",
      OPERATOR.password,
      "-q",
      "1",
      "-t",
      topics.cmd(id, "ping"),
      "-m",
      "{}",
    ]);
    const done = await waitFor(
      (m) => m.topic.startsWith(`bbb/${id}/result/`) && JSON.parse(m.payload).status === "succeeded",
    );
    // No id in the command: the agent generated one, and the result topic carries it.
    expect(done.topic.split("/").pop()).toBe(JSON.parse(done.payload).id);
  });

  it("a wrong token is refused by the broker (the agent keeps retrying with backoff)", async () => {
    const failed = new Promise<{ username: string }>((resolve) => broker.events.once("auth-failed", resolve));
    const s = await startSimAgent(`mqtt://127.0.0.1:${port}`, { token: "0".repeat(64) }, { index: 62 });
    sims.push(s);
    expect((await failed).username).toBe(s.config.boardId);
    expect(s.agent.isConnected()).toBe(false);
  });
});
