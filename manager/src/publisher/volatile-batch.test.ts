import { describe, expect, it } from "vitest";
import { hostsVolatileSchema, type Heartbeat } from "@bbb/shared";
import { newRecord, type BoardRecord } from "../registry/board-record.js";
import { createVolatileBatch, VOLATILE_BATCH_MAX } from "./volatile-batch.js";

const beat = (id: string, seq: number): Heartbeat => ({
  v: 1,
  id,
  session: "s",
  seq,
  ts: 1_000 + seq,
  hostname: `h-${id}`,
  ip: "10.0.0.1",
  type: "mbtemp",
  uptime: seq,
});

function setup() {
  const sent: { topic: string; payload: string }[] = [];
  const records = new Map<string, BoardRecord>();
  const batch = createVolatileBatch({ now: () => 5_000, topic: "bbb/registry/volatile", send: (topic, payload) => sent.push({ topic, payload }) });
  const board = (id: string, seq: number, lastSeen: number) => {
    const rec = records.get(id) ?? newRecord(id, 0, 1000);
    rec.live.heartbeat = beat(id, seq);
    rec.live.lastSeen = lastSeen;
    records.set(id, rec);
  };
  const flush = (t: number) => batch.flush(t, (id) => records.get(id) ?? null);
  const messages = () => sent.map((m) => hostsVolatileSchema.parse(JSON.parse(m.payload)));
  return { batch, sent, board, flush, messages };
}

describe("volatile batch (registry/volatile)", () => {
  it("sends a board at most once per refresh, with its newest beat, counting from its whole view", () => {
    const s = setup();
    s.board("a1", 1, 1000.4);
    s.batch.schedule("a1", 1000, 0, 5000);
    s.flush(4999);
    expect(s.sent).toEqual([]);
    s.flush(5000);
    s.board("a1", 2, 6000);
    s.batch.schedule("a1", 6000, 0, 5000);
    s.flush(9999);
    s.board("a1", 3, 10_000);
    s.flush(10_000);
    const m = s.messages();
    expect(m.map((x) => x.hosts.map((h) => [h.id, h.heartbeat.seq, h.lastSeen]))).toEqual([[["a1", 1, 1000]], [["a1", 3, 10_000]]]);
    expect(s.sent.every((x) => x.topic === "bbb/registry/volatile")).toBe(true);
  });

  it("waits a refresh after the board's whole view went out", () => {
    const s = setup();
    s.board("a1", 1, 1000);
    s.batch.schedule("a1", 1000, 800, 5000);
    s.flush(5000);
    expect(s.sent).toEqual([]);
    s.flush(5800);
    expect(s.sent).toHaveLength(1);
  });

  it("drops a board whose view went out meanwhile, and boards it no longer knows", () => {
    const s = setup();
    s.board("a1", 1, 1000);
    s.batch.schedule("a1", 1000, 0, 1000);
    s.batch.schedule("gone", 1000, 0, 1000);
    s.batch.cancel("a1");
    s.flush(10_000);
    expect(s.sent).toEqual([]);
  });

  it("splits many due boards into messages of at most VOLATILE_BATCH_MAX", () => {
    const s = setup();
    const n = VOLATILE_BATCH_MAX * 2 + 5;
    for (let i = 0; i < n; i++) {
      s.board(`b${i}`, 1, 1000);
      s.batch.schedule(`b${i}`, 1000, 0, 1000);
    }
    s.flush(1000);
    expect(s.messages().map((m) => m.hosts.length)).toEqual([VOLATILE_BATCH_MAX, VOLATILE_BATCH_MAX, 5]);
  });
});
