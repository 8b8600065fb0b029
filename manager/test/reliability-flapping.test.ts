import { createServer as createHttp, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveBoardToken } from "@bbb/broker";
import { scaled, writeFigure } from "../../scripts/reliability.mjs";
import type { BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { lineClient, type LineClient } from "./front-fixtures.js";
import { ADMIN_PASSWORD, FLEET_SECRET, topics, waitFor, startTestServer } from "./helpers.js";

/**
 * RELIABILITY.md §"Flapping board" — "Flapping boards (up/down every few seconds) are flagged without flooding history or
 * notifications": a board whose link drops every cycle (the broker fires its will, it comes back
 * with a new session). Counted: history rows, socket event notifications, webhook deliveries.
 */
const CYCLES = scaled(12, 8);
const UP_MS = 600;
const DOWN_MS = 600;
const ID = "f1a9f1a9f1a9";

describe("a flapping board", () => {
  let server: BbbServer;
  let dataDir: string;
  let hook: Server;
  let deliveries = 0;
  let sock: LineClient;
  let notifications = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bbb-rel-flap-"));
    hook = createHttp((req, res) => {
      req.resume();
      req.on("end", () => {
        deliveries++;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const t = await startTestServer({ logLevel: "silent" }, { dataDir, settleMs: 200, extensions: [createFrontExtension()] });
    server = t.server;
    const s = t.started;
    const a = hook.address();
    const url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/hook`;
    const admin = { username: "admin", role: "admin" as const, via: "socket" as const };
    // One rule as shipped (30 s delay) and one that fires on any outage longer than 300 ms.
    await server.manager.table.get("webhooks.upsert")!.handler({ id: "default", url, states: ["lost"] }, admin);
    await server.manager.table.get("webhooks.upsert")!.handler({ id: "eager", url, states: ["lost"], delayMs: 300 }, admin);
    sock = await lineClient(s.ports.cmd!);
    sock.send({ jsonrpc: "2.0", id: 1, method: "auth", params: { username: "admin", password: ADMIN_PASSWORD } });
    await sock.next((m) => m.id === 1);
    sock.send({ jsonrpc: "2.0", id: 2, method: "events.subscribe", params: { filter: { boardIds: [ID] } } });
    await sock.next((m) => m.id === 2);
    sock.socket.on("data", (d: Buffer) => (notifications += (d.toString().match(/"events\.stateChange"/g) ?? []).length));
  });
  afterAll(async () => {
    sock?.close();
    await server?.stop();
    await new Promise((r) => hook.close(r));
    await rm(dataDir, { recursive: true, force: true });
  });

  /** One up phase: connect with a will, birth, beats; then the link drops (no DISCONNECT). */
  async function up(session: string): Promise<void> {
    const c: MqttClient = mqtt.connect(`mqtt://127.0.0.1:${server.ports.mqtt}`, {
      clientId: ID,
      username: ID,
      password: deriveBoardToken(FLEET_SECRET, ID),
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: topics.status(ID), payload: Buffer.from(JSON.stringify({ v: 1, state: "lost", session, ts: Date.now() })), qos: 1, retain: true },
    });
    await new Promise<void>((r, j) => (c.once("connect", () => r()), c.once("error", j)));
    await c.publishAsync(topics.status(ID), JSON.stringify({ v: 1, state: "online", session, ts: Date.now() }), { qos: 1, retain: true });
    const hb = (seq: number) => JSON.stringify({ v: 1, id: ID, session, seq, ts: Date.now(), hostname: "flappy", ip: "10.128.1.77", type: "mbtemp", uptime: seq });
    for (let i = 0; i * 200 < UP_MS; i++) {
      c.publish(topics.heartbeat(ID), hb(i), { qos: 0, retain: true });
      await new Promise((r) => setTimeout(r, 200));
    }
    (c.stream as { destroy(): void }).destroy();
    c.end(true);
  }

  it(`is flagged within its first cycles and ${CYCLES} cycles do not flood history or notifications`, { timeout: 120_000 }, async () => {
    const reg = server.manager.registry;
    let flaggedAfter = -1;
    for (let i = 0; i < CYCLES; i++) {
      await up(`s${i}`);
      await waitFor(() => reg.records.get(ID)?.state === "lost" || null, 5000, "lost after the drop");
      if (flaggedAfter < 0 && reg.records.get(ID)?.flapping) flaggedAfter = i + 1;
      await new Promise((r) => setTimeout(r, DOWN_MS));
    }
    const rec = reg.records.get(ID)!;
    expect(rec.flapping).toBe(true);
    expect(rec.problems.map((p) => p.code)).toContain("flapping");
    server.manager.store.flush();
    const rows = server.manager.store.history.query({ boardId: ID, limit: 5000 });
    const stateRows = rows.filter((r) => r.kind === "state-change").length;
    const flapRows = rows.filter((r) => r.kind === "flapping").length;
    await new Promise((r) => setTimeout(r, 500));
    const changes = 2 * CYCLES;
    writeFigure("fault-flapping", {
      kind: "fault",
      title: "Flapping board",
      test: "manager/test/reliability-flapping.test.ts",
      claim: "Flagged `flapping` after the configured number of changes (default 6 in 5 min); from then on its state changes are not written to history; webhook rules with their shipped 30 s delay stay silent.",
      fixed: ["every state change of a flapping board went out as a socket event notification (one per change); the quiet ones no longer do, and the settled state is told once when it calms down."],
      figures: {
        "up/down cycles": CYCLES,
        "cycle (ms)": UP_MS + DOWN_MS,
        "state changes": changes,
        "flagged after cycle": flaggedAfter,
        "history rows: state changes": stateRows,
        "history rows: flapping flag": flapRows,
        "socket event notifications": notifications,
        "webhook deliveries (30 s rule + 300 ms rule)": deliveries,
      },
    });
    expect(flaggedAfter).toBeGreaterThan(0);
    expect(flaggedAfter).toBeLessThanOrEqual(5);
    // History: the changes up to the flag, one flag row, nothing per further change.
    expect(stateRows).toBeLessThanOrEqual(8);
    expect(flapRows).toBe(1);
    // Notifications: bounded like history, not one per change.
    expect(notifications).toBeLessThanOrEqual(8);
    expect(deliveries).toBeLessThanOrEqual(4);
  });
});
