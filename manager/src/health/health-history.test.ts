import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Heartbeat } from "@bbb/shared";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createHealthHistory, type HealthHistory } from "./health-history.js";

const log = pino({ level: "silent" });
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const beat = (ts: number, extra: Partial<Heartbeat> = {}): Heartbeat => ({
  v: 1,
  id: "b1",
  session: "s1",
  seq: 0,
  ts,
  hostname: "h",
  ip: "10.0.0.1",
  type: "t",
  uptime: Math.round((ts - T0) / 1000) + 100,
  load1: 0.5,
  tempC: 50,
  memUsedPct: 40,
  diskUsedPct: 60,
  ...extra,
});

describe("health history", () => {
  let dir = "";
  let h: HealthHistory | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps one-minute means, survives a restart and answers buckets with gaps as null", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-health-"));
    let now = T0;
    h = createHealthHistory({ dataDir: dir, log, now: () => now, maxBytes: 1e9 });
    await h.start();
    // Minute 0: temperatures 40 and 60 (mean 50); minute 1: 70; minute 2: nothing; minute 3: 30.
    for (const [dt, temp] of [
      [1000, 40],
      [30_000, 60],
      [61_000, 70],
      [185_000, 30],
    ] as const) {
      now = T0 + dt;
      h.observe("b1", beat(now, { tempC: temp }), now);
    }
    now = T0 + 300_000;
    await h.stop();
    h = createHealthHistory({ dataDir: dir, log, now: () => now, maxBytes: 1e9 });
    await h.start();
    const r = h.query({ id: "b1", fields: ["tempC", "uptime"], from: T0, to: T0 + 300_000, step: 60_000 });
    expect(r.t).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i * 60_000));
    expect(r.series.tempC).toEqual([50, 70, null, 30, null]);
    expect(r.series.uptime).toEqual([130, 161, null, 285, null]);
    const coarse = h.query({ id: "b1", fields: ["tempC"], from: T0, to: T0 + 300_000, step: 120_000 });
    expect(coarse.series.tempC).toEqual([60, 30, null]);
    expect(h.query({ id: "nobody", fields: ["tempC"], from: T0, to: T0 + 120_000, step: 60_000 }).series.tempC).toEqual(
      [null, null],
    );
  });

  it("writes quarter-hour means and answers long ranges from them", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-health-"));
    let now = T0;
    h = createHealthHistory({ dataDir: dir, log, now: () => now, maxBytes: 1e9 });
    await h.start();
    for (let m = 0; m < 31; m++) {
      now = T0 + m * 60_000 + 5000;
      h.observe("b1", beat(now, { load1: m < 15 ? 1 : 3 }), now);
    }
    now = T0 + 31 * 60_000;
    // Three days back: older than the one-minute tier covers, so the quarter hours answer.
    const r = h.query({ id: "b1", fields: ["load1"], from: T0 - 3 * 86_400_000, to: T0 + 30 * 60_000, step: 900_000 });
    expect(r.series.load1?.slice(-2)).toEqual([1, 3]);
  });

  it("answers points not yet committed, and the same once they are", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-health-"));
    let now = T0;
    h = createHealthHistory({ dataDir: dir, log, now: () => now, maxBytes: 1e9, flushMs: 3_600_000 });
    await h.start();
    for (let m = 0; m < 6; m++) {
      now = T0 + m * 60_000 + 1000;
      h.observe("b1", beat(now, { tempC: 40 + m }), now);
    }
    now = T0 + 6 * 60_000;
    const q = { id: "b1", fields: ["tempC"] as const, from: T0, to: now, step: 120_000 };
    const before = h.query({ ...q, fields: [...q.fields] });
    expect(h.stats()).toMatchObject({ written: 0 });
    expect(before.series.tempC).toEqual([40.5, 42.5, 44.5]);
    await h.drain();
    expect(h.stats()).toMatchObject({ written: 6, queued: 0, inFlight: 0 });
    expect(h.query({ ...q, fields: [...q.fields] }).series.tempC).toEqual([40.5, 42.5, 44.5]);
  });

  it("drops the oldest points when over its size bound", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-health-"));
    let now = T0;
    h = createHealthHistory({ dataDir: dir, log, now: () => now, maxBytes: 1e9, pruneMs: 3_600_000 });
    await h.start();
    for (let m = 0; m < 120; m++) {
      now = T0 + m * 60_000;
      for (let b = 0; b < 50; b++) h.observe(`b${b}`, beat(now), now);
    }
    now = T0 + 121 * 60_000;
    const before = h.query({ id: "b1", fields: ["load1"], from: T0, to: now, step: 60_000 });
    expect(before.series.load1?.filter((x) => x !== null)).toHaveLength(120);
    await h.stop();
    // Reopened with a bound far under its size: whole hours of the oldest minutes go.
    h = createHealthHistory({ dataDir: dir, log, now: () => now, maxBytes: 4096 * 8, pruneMs: 3_600_000 });
    await h.start();
    await h.prune();
    const after = h.query({ id: "b1", fields: ["load1"], from: T0, to: now, step: 60_000 });
    expect(after.series.load1?.[0]).toBeNull();
    expect(after.series.load1?.filter((x) => x !== null).length).toBeLessThan(120);
  });
});
