import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { PendingRow } from "./accumulator.js";
import { createHealthWriter, writerScript, type HealthWriter } from "./health-writer.js";
import { HEALTH_DB_FILE } from "./metric-db.js";

/** A logger whose entries the test reads. */
function recordingLog() {
  const entries: { level: number; msg: string; restarts?: number }[] = [];
  const log = pino(
    { level: "info" },
    { write: (s: string) => void entries.push(JSON.parse(s) as (typeof entries)[0]) },
  );
  return { log, entries };
}

const row = (id: string, minute: number, temp: number): PendingRow => [id, minute, 50, temp, 400, null, 100, 0];

/** What the file holds, read through a connection of its own. */
function stored(file: string): { id: string; t: number; temp: number; mem: number | null }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare("SELECT boards.id AS id, t, temp, disk AS mem FROM m1 JOIN boards USING (b) ORDER BY id, t")
      .all() as { id: string; t: number; temp: number; mem: number | null }[];
  } finally {
    db.close();
  }
}

describe("health writer thread", () => {
  let dir = "";
  let w: HealthWriter | null = null;
  afterEach(async () => {
    await w?.close();
    w = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("commits the handed-over batches in its own thread and keeps nothing once acknowledged", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-hwriter-"));
    const file = join(dir, HEALTH_DB_FILE);
    w = createHealthWriter({ file, log: pino({ level: "silent" }), limits: { batchPoints: 7 } });
    await w.start();
    for (let b = 0; b < 5; b++) for (let m = 0; m < 10; m++) w.enqueue("m1", row(`b${b}`, m, 400 + m));
    w.enqueue("m15", row("b0", 0, 450));
    // Before the commit the points are still answerable from memory.
    expect(w.unwritten("b3", "m1")).toHaveLength(10);
    await w.drain();
    expect(w.unwritten("b3", "m1")).toEqual([]);
    const rows = stored(file);
    expect(rows).toHaveLength(50);
    expect(rows.filter((r) => r.id === "b3").map((r) => r.temp)).toEqual([
      400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
    ]);
    // null crosses the thread boundary as null, not as 0.
    expect(rows[0]?.mem).toBeNull();
    expect(w.stats()).toMatchObject({ queued: 0, inFlight: 0, written: 51, restarts: 0, running: true });
  });

  it("commits everything left on a clean stop", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-hwriter-"));
    const file = join(dir, HEALTH_DB_FILE);
    const writer = createHealthWriter({
      file,
      log: pino({ level: "silent" }),
      limits: { batchPoints: 100, maxInFlight: 100 },
    });
    await writer.start();
    // Far more than the in-flight bound: most of it is still queued when the stop begins.
    for (let m = 0; m < 2000; m++) writer.enqueue("m1", row("b1", m, 300));
    writer.flush();
    expect(writer.stats().queued).toBeGreaterThan(0);
    await writer.close();
    expect(stored(file)).toHaveLength(2000);
  });

  it("reports a writer thread that died, starts a new one and hands its batches over again", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-hwriter-"));
    const file = join(dir, HEALTH_DB_FILE);
    const { log, entries } = recordingLog();
    const threads: Worker[] = [];
    w = createHealthWriter({
      file,
      log,
      restartMs: 10,
      spawn: (opts) => {
        const t = new Worker(writerScript(), opts);
        // The first thread takes the batches and dies before committing any of them.
        if (threads.length === 0) {
          const post = t.postMessage.bind(t);
          t.postMessage = (m: { kind: string }) => (m.kind === "write" ? undefined : post(m));
        }
        threads.push(t);
        return t;
      },
    });
    await w.start();
    for (let m = 0; m < 300; m++) w.enqueue("m1", row("b1", m, 200));
    w.flush();
    expect(w.stats().inFlight).toBe(300);
    await threads[0]?.terminate();
    for (let m = 300; m < 400; m++) w.enqueue("m1", row("b1", m, 200));
    await w.drain();
    expect(threads).toHaveLength(2);
    expect(stored(file)).toHaveLength(400);
    expect(w.stats()).toMatchObject({ restarts: 1, running: true, queued: 0, inFlight: 0 });
    const died = entries.find((e) => e.msg === "health writer thread died; restarting");
    expect(died).toMatchObject({ level: 50, restarts: 1 });
  });

  it("fails its start when the file cannot be opened", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-hwriter-"));
    const writer = createHealthWriter({ file: join(dir, "missing", HEALTH_DB_FILE), log: pino({ level: "silent" }) });
    await expect(writer.start()).rejects.toThrow(/ENOENT|no such file/);
    expect(writer.stats().restarts).toBe(0);
  });
});
