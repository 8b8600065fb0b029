import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAKEOVER_LIMIT, deriveBoardToken } from "@bbb/broker";
import type { MqttClient } from "mqtt";
import {
  ADMIN_PASSWORD,
  FLEET_SECRET,
  captureLogger,
  connectClient,
  request,
  startTestServer,
  topics,
  waitFor,
  watchHosts,
  type TestServer,
} from "./helpers.js";
import { beat, status } from "./ops-fixtures.js";

// A board speaking raw MQTT with its own credentials: what the manager does with late wills and
// malformed payloads (docs/protocol.md §"Topic tree", §"Authentication and ACL").

async function connectBoard(url: string, id: string, session: string, will = true): Promise<MqttClient> {
  const { default: mqtt } = await import("mqtt");
  const c = mqtt.connect(url, {
    clientId: id,
    username: id,
    password: deriveBoardToken(FLEET_SECRET, id),
    reconnectPeriod: 0,
    keepalive: 2,
    ...(will
      ? { will: { topic: topics.status(id), payload: Buffer.from(status("lost", session)), qos: 1, retain: true } }
      : {}),
  });
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  await c.publishAsync(topics.status(id), status("online", session), { qos: 1, retain: true });
  return c;
}

describe("board messages", () => {
  let srv: TestServer;
  let admin: MqttClient;
  let hosts: Awaited<ReturnType<typeof watchHosts>>;
  const cap = captureLogger();
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    srv = await startTestServer({}, { log: cap.log });
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    hosts = await watchHosts(admin);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await admin?.endAsync();
    await srv?.stop();
  });

  it("ignores a late will of an old session once the board reconnected", async () => {
    const id = "b0000000late";
    const old = await connectBoard(srv.mqttUrl, id, "S1");
    old.publish(topics.heartbeat(id), beat(id, "S1", 1), { qos: 0, retain: true });
    await hosts.waitState(id, "unregistered", 3000);
    // The board restarts: the old connection is gone (the broker refuses a second live one with
    // the same id), a new one comes with a new session.
    old.end(true);
    const fresh = await connectBoard(srv.mqttUrl, id, "S2");
    clients.push(fresh);
    const tick = setInterval(
      () => fresh.publish(topics.heartbeat(id), beat(id, "S2", 2), { qos: 0, retain: true }),
      200,
    );
    try {
      await waitFor(() => hosts.views.get(id)?.session === "S2", 3000, "session S2");
      // The will of S1, delivered late.
      await fresh.publishAsync(topics.status(id), status("lost", "S1"), { qos: 1, retain: true });
      await new Promise((r) => setTimeout(r, 1500));
      expect(hosts.views.get(id)?.state).toBe("unregistered");
      expect(hosts.views.get(id)?.session).toBe("S2");
      // The will of the current session does count.
      await fresh.publishAsync(topics.status(id), status("lost", "S2"), { qos: 1, retain: true });
      clearInterval(tick);
      await hosts.waitState(id, "lost", 2000);
    } finally {
      clearInterval(tick);
    }
  });

  it("rejects malformed heartbeats with a log line and keeps the last good state", async () => {
    const id = "b00000000bad";
    const c = await connectBoard(srv.mqttUrl, id, "G1");
    clients.push(c);
    await c.publishAsync(topics.heartbeat(id), beat(id, "G1", 1, { hostname: "good-host" }), { qos: 1 });
    const good = await waitFor(
      () => hosts.views.get(id)?.heartbeat?.hostname === "good-host" && hosts.views.get(id),
      3000,
      "good beat",
    );
    expect(good.state).toBe("unregistered");
    const bad = [
      "not json {",
      JSON.stringify({
        v: 1,
        id,
        session: "G1",
        seq: "two",
        ts: 1,
        hostname: "x",
        ip: "1.2.3.4",
        type: "t",
        uptime: 1,
      }),
      JSON.stringify({ v: 1, id, session: "G1", seq: 3 }),
      beat(id, "G1", 4, { hostname: "evil", details: "x".repeat(1500) }),
    ];
    const before = cap.lines.filter((l) => l.msg === "payload rejected").length;
    for (const p of bad) await c.publishAsync(topics.heartbeat(id), p, { qos: 1 });
    await waitFor(
      () => cap.lines.filter((l) => l.msg === "payload rejected").length >= before + 3,
      3000,
      "rejection log lines",
    );
    const codes = cap.lines.filter((l) => l.msg === "payload rejected").map((l) => l.code);
    expect(codes).toEqual(
      expect.arrayContaining(["PROTO_E_INVALID_JSON", "PROTO_E_INVALID_PAYLOAD", "PROTO_E_TOO_LARGE"]),
    );
    // 2 MB: beyond the broker's packet limit; the broker drops that connection, nothing reaches the manager.
    const big = await connectBoard(srv.mqttUrl, "b00000000big", "B1", false);
    big.on("error", () => undefined);
    big.publish(
      topics.heartbeat("b00000000big"),
      beat("b00000000big", "B1", 1, { details: "y".repeat(2 * 1024 * 1024) }),
      { qos: 0 },
    );
    await new Promise((r) => setTimeout(r, 500));
    big.end(true);
    const v = hosts.views.get(id);
    expect(v?.heartbeat?.hostname).toBe("good-host");
    expect(v?.state).toBe("unregistered");
    // Broker and manager still answer.
    const r = await request(admin, "hosts.get", { id });
    expect(r.status).toBe("ok");
    expect((r.data as { heartbeat: { hostname: string } }).heartbeat.hostname).toBe("good-host");
  });

  it("flags a board id two places keep taking from each other (a cloned token), never lost meanwhile", async () => {
    const id = "b00000000dup";
    const sessions = Array.from({ length: TAKEOVER_LIMIT + 1 }, (_, i) => `D${i + 1}`);
    for (const [i, session] of sessions.entries()) {
      const c = await connectBoard(srv.mqttUrl, id, session);
      clients.push(c);
      await c.publishAsync(topics.heartbeat(id), beat(id, session, i + 1), { qos: 1 });
      if (i === 0) await hosts.waitState(id, "unregistered", 3000);
      else expect(hosts.views.get(id)?.state).not.toBe("lost");
    }
    const v = await waitFor(
      () => hosts.views.get(id)?.problems.some((p) => p.code === "duplicate-connection") && hosts.views.get(id),
      3000,
      "duplicate problem",
    );
    expect(v.state).toBe("unregistered");
  });
});
