import * as net from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { createAgent } from "../src/create-agent.js";
import { agentConfigSchema } from "../src/config/schema.js";
import { createFakeRoot, type FakeRoot } from "../src/sim/fake-root.js";
import { createGate } from "../src/sim/gated-connect.js";
import { createRecordingExec } from "../src/sim/recording-exec.js";
import { startBroker, startObserver } from "./helpers/broker.js";

const topics = createTopics("bbb");

/** A port nothing listens on: the first broker URL, so the agent must rotate to the second. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("reconnects (persistent session, URL rotation)", () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let obs: Awaited<ReturnType<typeof startObserver>>;
  let fake: FakeRoot;
  beforeAll(async () => {
    broker = await startBroker();
    obs = await startObserver(broker.url, ["bbb/+/status", "bbb/+/result/+"]);
    fake = await createFakeRoot({ index: 77 });
  });
  afterAll(async () => {
    await obs?.close();
    await broker?.close();
    await fake?.cleanup();
  });

  it("tries the URLs in turn, and a QoS 1 command sent while the link was down arrives after the reconnect", async () => {
    const gate = createGate();
    const rec = createRecordingExec({ mac: fake.mac, ip: fake.options.ip });
    const config = {
      ...agentConfigSchema.parse({
        mqttUrls: [`mqtt://127.0.0.1:${await deadPort()}`, broker.url],
        rootPrefix: fake.root,
        stateDir: fake.stateDir,
      }),
      boardId: fake.boardId,
    };
    const agent = createAgent({
      config,
      log: pino({ level: "silent" }),
      exec: rec.exec,
      connect: gate.connect,
      interfaces: rec.interfaces,
      random: () => 0.5,
      backoff: { baseMs: 400, capMs: 2000 },
    });
    const id = fake.boardId;
    const st = (s: string) => (m: { topic: string; payload: string }) =>
      m.topic === topics.status(id) && JSON.parse(m.payload).state === s;
    try {
      await agent.start();
      await obs.waitFor(st("online"), 10_000);
      const from = obs.received.length;
      gate.cut();
      // The broker saw the link drop (will), and the agent is waiting out its backoff.
      await obs.waitFor(st("lost"), 5000, from);
      await obs.publish(topics.cmd(id, "ping"), JSON.stringify({ id: "queued-1" }));
      // The command was accepted by the broker before the agent was back.
      expect(obs.received.slice(from).some(st("online"))).toBe(false);
      await obs.waitFor(st("online"), 10_000, from);
      const done = await obs.waitFor(
        (m) => m.topic === topics.result(id, "queued-1") && JSON.parse(m.payload).status === "succeeded",
        10_000,
      );
      expect(JSON.parse(done.payload).data.session).toBe(agent.session);
    } finally {
      await agent.stop();
      gate.close();
    }
  });
});
