import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { REPO } from "./helpers.js";

const BOARDS = 500;
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

/**
 * A process that feeds the health store as fast as it can, a simulated minute per round (500
 * boards, a beat each), and prints each minute once the writer thread committed it.
 */
const CHILD = `
const { createHealthHistory } = await import(${JSON.stringify(pathToFileURL(join(REPO, "manager/dist/health/health-history.js")).href)});
const { silentLogger } = await import(${JSON.stringify(pathToFileURL(join(REPO, "manager/dist/log.js")).href)});
let now = ${T0};
const h = createHealthHistory({ dataDir: process.argv[2], log: silentLogger(), now: () => now, maxBytes: 1e12, flushMs: 20 });
await h.start();
for (let m = 0; m < 100000; m++) {
  now = ${T0} + m * 60000 + 1000;
  for (let b = 0; b < ${BOARDS}; b++) {
    h.observe("b" + b, { v: 1, id: "b" + b, session: "s", seq: m, ts: now, hostname: "h", ip: "10.0.0.1", type: "t", uptime: 100 + m * 60, load1: 0.5, tempC: 40 + (m % 20), memUsedPct: 30, diskUsedPct: 60 }, now);
  }
  // A turn for the flush timer, which hands the closed points over every 20 ms: batches are
  // being written all the time. Everything up to minute m - 1 is closed.
  await new Promise((r) => setTimeout(r, 2));
  if (m % 4 === 3) {
    await h.drain();
    console.log("committed " + (m - 1));
  }
}
`;

describe("health history across kill -9", () => {
  let dir = "";
  let child: ChildProcess | null = null;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    child = null;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps every committed minute and an intact file when the writing process is killed", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-health-kill-"));
    const script = join(dir, "feed.mjs");
    await writeFile(script, CHILD);
    const c = spawn(process.execPath, [script, dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    child = c;
    const exited = new Promise<void>((r) => c.once("exit", () => r()));
    let committed = -1;
    const lines = createInterface({ input: c.stdout });
    // Killed a moment after the 6th acknowledgement, while the next rounds are being written.
    await new Promise<void>((resolve, reject) => {
      let seen = 0;
      lines.on("line", (l) => {
        const m = /^committed (\d+)$/.exec(l);
        if (!m) return;
        committed = Number(m[1]);
        if (++seen === 6) setTimeout(resolve, 25);
      });
      c.once("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    c.kill("SIGKILL");
    await exited;
    expect(c.signalCode).toBe("SIGKILL");
    expect(committed).toBeGreaterThan(10);

    const db = new Database(join(dir, "health.sqlite"));
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const perMinute = db
        .prepare("SELECT t, count(*) AS n, min(temp) AS lo, max(temp) AS hi FROM m1 GROUP BY t ORDER BY t")
        .all() as { t: number; n: number; lo: number; hi: number }[];
      const t0 = T0 / 60_000;
      // Every minute acknowledged before the kill is there, whole, with its values.
      for (let m = 0; m <= committed; m++) {
        const row = perMinute.find((r) => r.t === t0 + m);
        expect(row, `minute ${m}`).toEqual({
          t: t0 + m,
          n: BOARDS,
          lo: (40 + (m % 20)) * 10,
          hi: (40 + (m % 20)) * 10,
        });
      }
      // A transaction is a whole batch or nothing: no minute holds a board twice or a stray value.
      for (const r of perMinute) expect(r.n).toBeLessThanOrEqual(BOARDS);
    } finally {
      db.close();
    }
  });
});
