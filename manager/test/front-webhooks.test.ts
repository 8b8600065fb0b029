import { createHmac } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventBus, type EventBus, type StateChangeEvent } from "../src/service/events.js";
import type { Clock } from "../src/front/webhooks/clock.js";
import { createJsonFileWebhookStore, createMemoryWebhookStore } from "../src/front/webhooks/store.js";
import { createWebhookService, type WebhookService } from "../src/front/webhooks/webhook-service.js";
import type { IncidentPayload } from "../src/front/webhooks/schemas.js";
import { silentLog } from "./front-fixtures.js";

/** A clock the test moves by hand: timers fire in time order as it advances. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      timers.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = end;
  };
  return { clock, advance, now: () => now };
}

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: IncidentPayload;
}

describe("webhooks", () => {
  let receiver: Server;
  let url: string;
  let received: Received[];
  let failNext: number;
  let events: EventBus;
  let service: WebhookService;
  let t: ReturnType<typeof manualClock>;

  beforeEach(async () => {
    received = [];
    failNext = 0;
    receiver = createServer((req, res) => {
      let raw = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (raw += c));
      req.on("end", () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        received.push({ headers: req.headers, raw, body: JSON.parse(raw) as IncidentPayload });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const a = receiver.address();
    url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/hook`;
    events = createEventBus();
    t = manualClock();
    service = createWebhookService({
      events,
      store: createMemoryWebhookStore(),
      log: silentLog,
      clock: t.clock,
      delivery: { backoffMs: 1000 },
    });
    await service.start();
  });
  afterEach(async () => {
    await service.stop();
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
  });

  const change = (
    boardId: string,
    sector: string,
    to: StateChangeEvent["to"],
    from: StateChangeEvent["from"] = "online",
  ) =>
    events.emit({
      kind: "state-change",
      boardId,
      hostname: `h-${boardId}`,
      sector,
      type: "mbtemp",
      from,
      to,
      problems: [],
      ts: t.now(),
    });
  /** Deliveries are real HTTP requests: wait for them in real time (and a bit more, to see extras). */
  const settle = async (count: number) => {
    const deadline = Date.now() + 5000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 150));
  };

  it("reports a sector-wide outage as one incident, then one resolution", async () => {
    await service.upsertRule({
      id: "lost-30s",
      url,
      states: ["lost"],
      delayMs: 30_000,
      groupWindowMs: 10_000,
      secret: "receiver-secret",
    });
    change("blip", "7", "lost");
    t.advance(5_000);
    change("blip", "7", "online", "lost");
    for (let i = 0; i < 40; i++) {
      change(`b${i}`, "3", "lost");
      t.advance(75);
    }
    t.advance(60_000);
    await settle(1);
    expect(received).toHaveLength(1);
    const [first] = received as [Received];
    expect(first.body.event).toBe("firing");
    expect(first.body.incident.sector).toBe("3");
    expect(first.body.incident.boards).toHaveLength(40);
    expect(first.body.text).toBe("40 boards are lost in sector 3 for more than 30 s");
    const sig = createHmac("sha256", "receiver-secret").update(first.raw).digest("hex");
    expect(first.headers["x-bbb-signature"]).toBe(`sha256=${sig}`);

    for (let i = 0; i < 39; i++) change(`b${i}`, "3", "online", "lost");
    t.advance(1000);
    await settle(1);
    expect(received).toHaveLength(1);
    change("b39", "3", "online", "lost");
    await settle(2);
    expect(received).toHaveLength(2);
    expect(received[1]?.body).toMatchObject({ event: "resolved", incident: { id: first.body.incident.id } });
  });

  it("a problem rule fires on an online board's IOC problem after its delay and resolves when it clears", async () => {
    await service.upsertRule({ id: "ioc", url, problems: ["ioc-down", "pv-silent"], delayMs: 10_000, groupWindowMs: 0 });
    const problems = (codes: ("ioc-down" | "pv-silent" | "clock-skew")[]) =>
      events.emit({
        kind: "problems-change",
        boardId: "b1",
        hostname: "h-b1",
        sector: "3",
        type: "mbtemp",
        state: "online",
        problems: codes.map((code) => ({ code, field: "ioc-ps", message: `${code} on ioc-ps` })),
        ts: t.now(),
      });
    change("b1", "3", "online", null);
    problems(["clock-skew"]);
    t.advance(60_000);
    await settle(0);
    expect(received).toHaveLength(0);
    problems(["ioc-down", "pv-silent"]);
    t.advance(5_000);
    problems(["pv-silent"]);
    t.advance(6_000);
    await settle(1);
    expect(received).toHaveLength(1);
    const [first] = received as [Received];
    expect(first.body.event).toBe("firing");
    expect(first.body.incident.problems).toEqual(["ioc-down", "pv-silent"]);
    expect(first.body.incident.boards[0]?.problems).toEqual([{ code: "pv-silent", message: "pv-silent on ioc-ps" }]);
    expect(first.body.text).toBe("h-b1 is pv-silent in sector 3 for more than 10 s");
    problems([]);
    t.advance(1000);
    await settle(2);
    expect(received.map((r) => r.body.event)).toEqual(["firing", "resolved"]);
  });

  it("stays silent during a maintenance window and speaks when it ends with boards still down", async () => {
    await service.upsertRule({ id: "lost", url, states: ["lost"], delayMs: 30_000, groupWindowMs: 5_000 });
    await service.upsertWindow({ id: "sector-5-work", sectors: ["5"], until: t.now() + 3600_000, reason: "rack move" });
    for (let i = 0; i < 10; i++) change(`m${i}`, "5", "lost");
    t.advance(30 * 60_000);
    await settle(0);
    expect(received).toHaveLength(0);
    expect(service.deliveries().filter((d) => d.status === "silenced")).toHaveLength(10);
    for (let i = 0; i < 8; i++) change(`m${i}`, "5", "online", "lost");
    t.advance(31 * 60_000);
    await settle(1);
    expect(received).toHaveLength(1);
    expect(received[0]?.body.incident.boards.map((b) => b.boardId).sort()).toEqual(["m8", "m9"]);
  });

  it("retries a failing receiver with back-off and logs the delivery", async () => {
    failNext = 2;
    await service.upsertRule({ id: "r", url, states: ["lost"], delayMs: 1000, groupWindowMs: 0 });
    change("x1", "9", "lost");
    t.advance(1000);
    await new Promise((r) => setTimeout(r, 200));
    expect(service.deliveries()[0]).toMatchObject({ status: "pending", attempts: 1, httpStatus: 503 });
    t.advance(1000);
    await new Promise((r) => setTimeout(r, 200));
    t.advance(2000);
    await settle(1);
    expect(received).toHaveLength(1);
    expect(service.deliveries()[0]).toMatchObject({ status: "delivered", attempts: 3, httpStatus: 204 });
  });
});

describe("webhook file store", () => {
  it("keeps rules and windows in a JSON file across restarts, and refuses a corrupt one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bbb-webhooks-"));
    try {
      const file = join(dir, "webhooks.json");
      const events = createEventBus();
      const a = createWebhookService({ events, store: createJsonFileWebhookStore(file), log: silentLog });
      await a.start();
      await a.upsertRule({ id: "r1", url: "https://example.invalid/hook", secret: "signing-secret" });
      await a.upsertWindow({ id: "w1", sectors: ["2"], until: Date.now() + 60_000 });
      await a.stop();
      const b = createWebhookService({ events, store: createJsonFileWebhookStore(file), log: silentLog });
      await b.start();
      expect(b.listRules()).toMatchObject([{ id: "r1", states: ["lost"], delayMs: 30_000, secret: "signing-secret" }]);
      expect(b.listWindows()).toMatchObject([{ id: "w1", sectors: ["2"] }]);
      await b.stop();
      expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ v: 1 });
      await writeFile(file, "{ not json");
      await expect(
        createWebhookService({ events, store: createJsonFileWebhookStore(file), log: silentLog }).start(),
      ).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
