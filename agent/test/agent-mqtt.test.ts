import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopics, heartbeatSchema, logSchema, resultSchema, statusSchema } from "@bbb/shared";
import { startBroker, startObserver } from "./helpers/broker.js";
import { startSimAgent } from "./helpers/sim-agent.js";

const topics = createTopics("bbb");
type Broker = Awaited<ReturnType<typeof startBroker>>;
type Obs = Awaited<ReturnType<typeof startObserver>>;

describe("agent against a real Aedes broker", () => {
  let broker: Broker;
  let obs: Obs;
  let sim: Awaited<ReturnType<typeof startSimAgent>>;
  const result = (id: string, status: string) => (m: { topic: string; payload: string }) =>
    m.topic === topics.result(sim.config.boardId, id) && JSON.parse(m.payload).status === status;

  beforeAll(async () => {
    broker = await startBroker();
    obs = await startObserver(broker.url, ["bbb/+/status", "bbb/+/heartbeat", "bbb/+/result/+", "bbb/+/log"]);
    sim = await startSimAgent(broker.url, { services: ["bbb-function"] }, { index: 7 });
  });
  afterAll(async () => {
    await sim?.cleanup();
    await obs?.close();
    await broker?.close();
  });

  it("publishes the birth and valid heartbeats", async () => {
    const id = sim.config.boardId;
    const birth = await obs.waitFor((m) => m.topic === topics.status(id));
    const st = statusSchema.parse(JSON.parse(birth.payload));
    expect(st).toMatchObject({ state: "online", session: sim.agent.session });
    const hbMsg = await obs.waitFor(
      (m) => m.topic === topics.heartbeat(id) && JSON.parse(m.payload).services !== undefined,
    );
    expect(Buffer.byteLength(hbMsg.payload)).toBeLessThanOrEqual(1024);
    const hb = heartbeatSchema.parse(JSON.parse(hbMsg.payload));
    expect(hb).toMatchObject({
      id,
      session: sim.agent.session,
      hostname: "sim-bbb-0007",
      ip: sim.fake.options.ip,
      type: "mbtemp",
      details: "MBTemps connected [1, 2]",
      ipMode: "manual",
      gateway: sim.fake.options.gateway,
      nameservers: ["10.0.0.71", "10.0.0.72"],
      services: { "bbb-function": "active" },
      tempC: 47.3,
    });
  });

  it("runs a command: accepted then succeeded", async () => {
    await obs.publish(topics.cmd(sim.config.boardId, "ping"), JSON.stringify({ id: "p-1" }));
    await obs.waitFor(result("p-1", "accepted"));
    const done = await obs.waitFor(result("p-1", "succeeded"));
    const r = resultSchema.parse(JSON.parse(done.payload));
    expect(r.data).toMatchObject({ session: sim.agent.session });
    const line = await obs.waitFor(
      (m) => m.topic === topics.log(sim.config.boardId) && m.payload.includes("p-1 succeeded"),
    );
    expect(logSchema.parse(JSON.parse(line.payload))).toMatchObject({ level: "info", msg: "ping p-1 succeeded" });
  });

  it("answers a repeated id with the earlier result and does not run it again", async () => {
    await obs.publish(
      topics.cmd(sim.config.boardId, "restart-service"),
      JSON.stringify({ id: "r-1", args: { name: "bbb-function" } }),
    );
    await obs.waitFor(result("r-1", "succeeded"));
    const before = obs.received.length;
    await obs.publish(
      topics.cmd(sim.config.boardId, "restart-service"),
      JSON.stringify({ id: "r-1", args: { name: "bbb-function" } }),
    );
    await obs.waitFor(result("r-1", "succeeded"), 5000, before);
    expect(sim.rec.calls.filter((c) => c.join(" ") === "systemctl restart bbb-function")).toHaveLength(1);
  });

  it("expires a stale command and rejects bad arguments and unknown units", async () => {
    const id = sim.config.boardId;
    await obs.publish(
      topics.cmd(id, "ping"),
      JSON.stringify({ id: "e-1", issuedAt: Date.now() - 120_000, ttlMs: 60_000 }),
    );
    const exp = await obs.waitFor(result("e-1", "expired"));
    expect(JSON.parse(exp.payload).error.code).toBe("AGENT_E_EXPIRED");
    await obs.publish(
      topics.cmd(id, "set-ip"),
      JSON.stringify({ id: "b-1", args: { mode: "manual", ip: "10.0.0.5" } }),
    );
    const bad = await obs.waitFor(result("b-1", "rejected"));
    expect(JSON.parse(bad.payload).error.code).toBe("AGENT_E_INVALID_ARGS");
    await obs.publish(topics.cmd(id, "stop-service"), JSON.stringify({ id: "n-1", args: { name: "ssh" } }));
    expect(JSON.parse((await obs.waitFor(result("n-1", "rejected"))).payload).error.code).toBe("AGENT_E_NOT_ALLOWED");
    await obs.publish(topics.cmd(id, "self-destruct"), JSON.stringify({ id: "u-1" }));
    expect(JSON.parse((await obs.waitFor(result("u-1", "rejected"))).payload).error.code).toBe(
      "AGENT_E_UNKNOWN_ACTION",
    );
    await obs.publish(topics.cmd(id, "ping"), "{not json");
    const nj = await obs.waitFor(
      (m) => m.topic.startsWith(`bbb/${id}/result/`) && JSON.parse(m.payload).error?.code === "AGENT_E_INVALID_JSON",
    );
    expect(JSON.parse(nj.payload).status).toBe("rejected");
  });

  it("publishes offline on a clean stop", async () => {
    const from = obs.received.length;
    await sim.stop();
    const off = await obs.waitFor((m) => m.topic === topics.status(sim.config.boardId), 5000, from);
    expect(JSON.parse(off.payload)).toMatchObject({ state: "offline", session: sim.agent.session });
  });
});
