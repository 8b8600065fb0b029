import mqtt from "mqtt";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTopics, heartbeatSchema, resultSchema } from "@bbb/shared";
import type { ProjectSync } from "../src/actions/project-sync.js";
import { createAgent } from "../src/create-agent.js";
import { startBroker, startObserver, type Received } from "./helpers/broker.js";
import { startSimAgent } from "./helpers/sim-agent.js";

const topics = createTopics("bbb");
type Sim = Awaited<ReturnType<typeof startSimAgent>>;

describe("actions end to end over MQTT (simulated board)", () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let obs: Awaited<ReturnType<typeof startObserver>>;
  const sims: Sim[] = [];
  beforeAll(async () => {
    broker = await startBroker();
    obs = await startObserver(broker.url, ["bbb/+/status", "bbb/+/heartbeat", "bbb/+/result/+"]);
  });
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.cleanup();
  });
  afterAll(async () => {
    await obs?.close();
    await broker?.close();
  });
  const start = async (...a: Parameters<typeof startSimAgent> extends [unknown, ...infer R] ? R : never) => {
    const s = await startSimAgent(broker.url, ...a);
    sims.push(s);
    await obs.waitFor(
      (m) => m.topic === topics.status(s.config.boardId) && JSON.parse(m.payload).session === s.agent.session,
    );
    return s;
  };
  const final = (s: Sim, id: string) => (m: Received) =>
    m.topic === topics.result(s.config.boardId, id) &&
    ["succeeded", "failed", "rejected", "expired"].includes(JSON.parse(m.payload).status);
  const send = (s: Sim, action: string, body: object) =>
    obs.publish(topics.cmd(s.config.boardId, action), JSON.stringify(body));

  it("set-ip through connman: the heartbeat shows the new address", async () => {
    const s = await start({}, { index: 21, layout: "connman" });
    await send(s, "set-ip", {
      id: "ip-1",
      args: { mode: "manual", ip: "10.128.9.77", netmask: "255.255.255.0", gateway: "10.128.9.1" },
    });
    const r = resultSchema.parse(JSON.parse((await obs.waitFor(final(s, "ip-1"))).payload));
    expect(r.status).toBe("succeeded");
    expect(r.output).toContain(
      "connmanctl config ethernet_a0f6fd000015_cable --ipv4 manual 10.128.9.77 255.255.255.0 10.128.9.1",
    );
    const after = obs.received.length;
    const hb = await obs.waitFor(
      (m) => m.topic === topics.heartbeat(s.config.boardId) && JSON.parse(m.payload).ip === "10.128.9.77",
      5000,
      after,
    );
    expect(heartbeatSchema.parse(JSON.parse(hb.payload))).toMatchObject({ ipMode: "manual", gateway: "10.128.9.1" });
  });

  it("apply-node adopts hostname, IP, type and PV prefix, then reboots after accepted", async () => {
    const s = await start({}, { index: 22, layout: "networkd" });
    const from = obs.received.length;
    await send(s, "apply-node", {
      id: "an-1",
      args: {
        hostname: "LA-RaCtrl:CO-Srv-9",
        ip: { mode: "dhcp" },
        type: "power-supply",
        pvPrefix: ["PS-LA:"],
        nameservers: ["10.0.0.71"],
      },
    });
    const r = resultSchema.parse(JSON.parse((await obs.waitFor(final(s, "an-1"))).payload));
    expect(r.status).toBe("succeeded");
    expect(r.data).toMatchObject({ changed: ["hostname", "ip", "nameservers", "type", "pvPrefix"], reboot: true });
    const statuses = obs.received
      .slice(from)
      .filter((m) => m.topic === topics.result(s.config.boardId, "an-1"))
      .map((m) => JSON.parse(m.payload).status);
    expect(statuses[0]).toBe("accepted");
    // The reboot is asked for once the broker has acknowledged `succeeded` (the final result is
    // out first), so it may come a moment after the observer has seen that result.
    await vi.waitFor(() => expect(s.rec.calls.map((c) => c.join(" "))).toContain("systemctl --no-block reboot"), {
      timeout: 3000,
    });
    expect(s.rec.calls.map((c) => c.join(" "))).toContain("hostname LA-RaCtrl--CO-Srv-9");
    const after = obs.received.length;
    const hb = await obs.waitFor(
      (m) => m.topic === topics.heartbeat(s.config.boardId) && JSON.parse(m.payload).type === "power-supply",
      5000,
      after,
    );
    expect(JSON.parse(hb.payload)).toMatchObject({
      hostname: "LA-RaCtrl--CO-Srv-9",
      pvPrefix: ["PS-LA:"],
      ipMode: "dhcp",
    });
  });

  it("identify blinks the LEDs; sync-project without a ProjectSync fails with AGENT_E_SYNC_UNAVAILABLE", async () => {
    const s = await start({}, { index: 23 });
    await send(s, "identify", { id: "id-1", args: { seconds: 2 } });
    expect(JSON.parse((await obs.waitFor(final(s, "id-1"))).payload)).toMatchObject({
      status: "succeeded",
      data: { seconds: 2 },
    });
    await send(s, "sync-project", { id: "sp-1" });
    expect(JSON.parse((await obs.waitFor(final(s, "sp-1"))).payload)).toMatchObject({
      status: "failed",
      error: { code: "AGENT_E_SYNC_UNAVAILABLE" },
    });
  });

  it("ignores a retained command (it would otherwise run again at every reconnect)", async () => {
    const { simMac } = await import("../src/sim/fake-root.js");
    const id = simMac(26).replaceAll(":", "");
    await obs.client.publishAsync(
      topics.cmd(id, "restart-service"),
      JSON.stringify({ id: "ret-1", args: { name: "bbb-function" } }),
      { qos: 1, retain: true },
    );
    try {
      const s = await start({}, { index: 26 });
      await send(s, "ping", { id: "after-ret" });
      await obs.waitFor(final(s, "after-ret"));
      expect(obs.received.some((m) => m.topic === topics.result(id, "ret-1"))).toBe(false);
      expect(s.rec.calls.some((c) => c[1] === "restart")).toBe(false);
    } finally {
      await obs.client.publishAsync(topics.cmd(id, "restart-service"), "", { qos: 1, retain: true });
    }
  });

  it("a duplicate id after a restart is answered from the state dir, not executed again", async () => {
    const s = await start({}, { index: 24 });
    await send(s, "restart-service", { id: "dup-1", args: { name: "bbb-function" } });
    await obs.waitFor(final(s, "dup-1"));
    await s.agent.stop();
    const again = createAgent({
      config: { ...s.config, services: ["bbb-function"] },
      log: pino({ level: "silent" }),
      exec: s.rec.exec,
      connect: mqtt.connect,
      interfaces: s.rec.interfaces,
    });
    try {
      await again.start();
      await obs.waitFor(
        (m) => m.topic === topics.status(s.config.boardId) && JSON.parse(m.payload).session === again.session,
      );
      const from = obs.received.length;
      await send(s, "restart-service", { id: "dup-1", args: { name: "bbb-function" } });
      await obs.waitFor(final(s, "dup-1"), 5000, from);
      // Run once before the restart, not again for the repeated id.
      expect(s.rec.calls.filter((c) => c.join(" ") === "systemctl restart bbb-function")).toHaveLength(1);
      expect(JSON.parse(obs.received.slice(from).find(final(s, "dup-1"))?.payload ?? "{}").status).toBe("succeeded");
    } finally {
      await again.stop();
    }
  });
});

describe("sync-project with an injected ProjectSync", () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let obs: Awaited<ReturnType<typeof startObserver>>;
  afterAll(async () => {
    await obs?.close();
    await broker?.close();
  });

  it("reports running progress, the outcome as data, and the revision in the heartbeat", async () => {
    broker = await startBroker();
    obs = await startObserver(broker.url, ["bbb/+/heartbeat", "bbb/+/result/+"]);
    let revision: string | null = null;
    const ps: ProjectSync = {
      async sync({ dryRun, ...opts }) {
        for (let i = 1; i <= 4; i++) {
          opts.onProgress({ files: i, totalFiles: 4, bytes: i * 100, totalBytes: 400 });
          await new Promise((r) => setTimeout(r, 300));
        }
        if (!dryRun) revision = "abc123";
        return { revision: "abc123", changed: ["ioc/st.cmd"], removed: [], rcLocalDiff: "+ exec ioc" };
      },
      currentRevision: () => revision,
      rcLocalHash: () => (revision ? "f".repeat(64) : null),
    };
    const { startSimAgentWith } = await import("./helpers/sim-agent.js");
    const s = await startSimAgentWith(broker.url, { projectSync: ps }, {}, { index: 25 });
    try {
      await obs.waitFor((m) => m.topic === topics.heartbeat(s.config.boardId));
      await obs.publish(topics.cmd(s.config.boardId, "sync-project"), JSON.stringify({ id: "sync-1", args: {} }));
      const done = await obs.waitFor(
        (m) => m.topic === topics.result(s.config.boardId, "sync-1") && JSON.parse(m.payload).status === "succeeded",
      );
      expect(JSON.parse(done.payload).data).toMatchObject({
        revision: "abc123",
        changed: ["ioc/st.cmd"],
        changedCount: 1,
        rcLocalDiff: "+ exec ioc",
        dryRun: false,
      });
      const running = obs.received.filter(
        (m) => m.topic === topics.result(s.config.boardId, "sync-1") && JSON.parse(m.payload).status === "running",
      );
      expect(running.some((m) => JSON.parse(m.payload).progress === 1)).toBe(true);
      await obs.waitFor(
        (m) => m.topic === topics.heartbeat(s.config.boardId) && JSON.parse(m.payload).projectRevision === "abc123",
      );
    } finally {
      await s.cleanup();
    }
  });
});
