import { rm } from "node:fs/promises";
import { connect as tcp, type Socket } from "node:net";
import { deriveBoardToken } from "@bbb/broker";
import type { MqttClient } from "mqtt";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, FLEET_SECRET, connectClient, request, topics, waitFor, startTestServer, type TestServer } from "./helpers.js";
import { beat, connectBoard, parseMetrics, opsServer } from "./ops-fixtures.js";

const TOKEN = "metrics-token-0123456789";
// Text format 0.0.4: `name{label="value",…} number`, or a HELP / TYPE comment.
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|NaN|[+-]Inf)$/;
const COMMENT = /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary))$/;

/** A board's CONNECT (MQTT 3.1.1, clean session, its token), built by hand: sent with the FIN right behind it. */
function connectBytes(id: string): Buffer {
  const str = (v: string) => {
    const b = Buffer.from(v);
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const body = Buffer.concat([str("MQTT"), Buffer.from([4, 0xc2, 0, 2]), str(id), str(id), str(deriveBoardToken(FLEET_SECRET, id))]);
  if (body.length > 127) throw new Error("CONNECT too long for a one-byte length");
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

describe("GET /metrics, /healthz, /readyz", () => {
  let srv: TestServer;
  const clients: MqttClient[] = [];
  const sockets: Socket[] = [];
  const scrape = async () => {
    const r = await fetch(`${srv.http}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    return r.text();
  };

  beforeAll(async () => {
    // 2 s heartbeats: a silent board is lost after 6 s, long after the other board's will, and
    // no board goes lost between two of the test's own beats even on a loaded machine (which
    // would count extra detections).
    srv = await startTestServer({ heartbeatMs: 2000, metricsToken: TOKEN }, opsServer());
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    for (const s of sockets) s.destroy();
    await srv?.server.stop();
    if (srv) await rm(srv.dataDir, { recursive: true, force: true });
  });

  it("asks for the token when one is configured", async () => {
    expect((await fetch(`${srv.http}/metrics`)).status).toBe(401);
    expect((await fetch(`${srv.http}/metrics`, { headers: { authorization: "Bearer wrong-token" } })).status).toBe(401);
    const basic = Buffer.from(`prometheus:${TOKEN}`).toString("base64");
    expect((await fetch(`${srv.http}/metrics`, { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
  });

  it("counts heartbeats, rejected payloads, detection latency, requests and broker events", async () => {
    const willId = "0000000000a1";
    const staleId = "0000000000a2";
    const a = await connectBoard(srv.started.urls.mqtt, willId, "s1");
    const b = await connectBoard(srv.started.urls.mqtt, staleId, "s2");
    clients.push(a, b);
    const admin = await connectClient(srv.started.urls.mqtt, "admin", ADMIN_PASSWORD);
    clients.push(admin);
    expect((await request(admin, "server.info", {})).status).toBe("ok");
    const refused = mqtt.connect(srv.started.urls.mqtt, {
      username: "admin",
      password: "wrong-password",
      reconnectPeriod: 0,
    });
    await new Promise<void>((r) => refused.once("error", () => r()));
    refused.end(true);
    // Boards that gave up on their CONNECT before the broker came to it (docs/protocol.md
    // §"Liveness"). The broker sees that only when the FIN is read with the CONNECT, which a
    // loaded machine may split into two reads: several tries, at least one counted.
    for (let i = 0; i < 20; i++) {
      const gaveUp = tcp({ host: "127.0.0.1", port: srv.started.ports.mqtt ?? 0 });
      gaveUp.on("error", () => undefined);
      gaveUp.on("connect", () => gaveUp.end(connectBytes(`0000000000${(0xb0 + i).toString(16)}`)));
      sockets.push(gaveUp);
    }
    for (let seq = 1; seq <= 3; seq++) {
      // QoS 1 here (boards use 0): this test counts what the manager got, not what the transport may drop.
      await a.publishAsync(topics.heartbeat(willId), beat(willId, "s1", seq), { qos: 1, retain: true });
      await b.publishAsync(topics.heartbeat(staleId), beat(staleId, "s2", seq), { qos: 1, retain: true });
      await new Promise((r) => setTimeout(r, 50));
    }
    await a.publishAsync(topics.heartbeat(willId), "not json", { qos: 1 });
    // The will: a connection dropped without DISCONNECT. The other board just goes silent.
    a.stream.destroy();

    const m = await waitFor(
      async () => {
        const x = parseMetrics(await scrape());
        return (x.get('bbb_boards{state="lost"}') ?? 0) === 2 && x.has('bbb_broker_connects_unserved_total{reason="abandoned"}') ? x : null;
      },
      20_000,
      "both boards lost and the abandoned CONNECT counted",
    );
    expect(m.get("bbb_heartbeats_total")).toBe(6);
    expect(m.get('bbb_payloads_rejected_total{kind="heartbeat",code="PROTO_E_INVALID_JSON"}')).toBe(1);
    expect(m.get('bbb_detection_latency_seconds_count{cause="will"}')).toBe(1);
    expect(m.get('bbb_detection_latency_seconds_count{cause="heartbeat-timeout"}')).toBe(1);
    // Staleness is noticed by the 100 ms sweep: within a second of the deadline even on a loaded machine.
    expect(m.get('bbb_detection_latency_seconds_bucket{cause="heartbeat-timeout",le="1"}')).toBe(1);
    expect(m.get('bbb_lost_after_last_heartbeat_seconds_count{cause="heartbeat-timeout"}')).toBe(1);
    expect(m.get('bbb_state_changes_total{state="lost"}')).toBe(2);
    expect(m.get('bbb_mqtt_request_duration_seconds_count{method="server.info",outcome="ok"}')).toBe(1);
    expect(m.get('bbb_broker_auth_failures_total{reason="bad-password"}')).toBe(1);
    expect(m.get('bbb_broker_connects_unserved_total{reason="abandoned"}')).toBeGreaterThanOrEqual(1);
    expect(m.get("bbb_broker_connected_clients")).toBeGreaterThanOrEqual(2);
    // The embedded broker runs on its own thread: its busy share since the previous scrape.
    expect(m.get("bbb_broker_thread_utilization")).toBeGreaterThanOrEqual(0);
    expect(m.get("bbb_broker_thread_utilization")).toBeLessThanOrEqual(1);
    expect(m.get('bbb_boards_by_sector{sector="-",state="lost"}') ?? 0).toBeLessThanOrEqual(2);
    expect(m.get("bbb_manager_mqtt_connected")).toBe(1);
    expect(m.get('bbb_sqlite_bytes{file="db"}')).toBeGreaterThan(0);
    expect(m.get("bbb_health_history_writer_up")).toBe(1);
    expect(m.get("bbb_health_history_writer_restarts_total")).toBe(0);
    expect(m.get('bbb_health_history_points_pending{where="queued"}')).toBeGreaterThanOrEqual(0);
    expect(m.get("process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(m.get("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(m.get('bbb_event_loop_lag_seconds{quantile="0.99"}')).toBeGreaterThan(0);
  });

  it("speaks the text format 0.0.4 on every line", async () => {
    const text = await scrape();
    for (const line of text.trimEnd().split("\n")) expect(line).toMatch(line.startsWith("#") ? COMMENT : SAMPLE);
    // Histogram buckets are cumulative and end with +Inf = count.
    const m = parseMetrics(text);
    const inf = m.get('bbb_detection_latency_seconds_bucket{cause="will",le="+Inf"}');
    expect(inf).toBe(m.get('bbb_detection_latency_seconds_count{cause="will"}'));
  });

  it("answers /healthz and /readyz with the checks behind them", async () => {
    const h = await fetch(`${srv.http}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: "ok", role: "all-in-one", mqtt: true });
    const r = await fetch(`${srv.http}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      status: "ready",
      checks: {
        broker: { ok: true, mode: "embedded" },
        mqtt: { ok: true },
        registry: { ok: true },
        sqlite: { ok: true },
      },
    });
  });
});
