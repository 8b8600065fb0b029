import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { pino } from "pino";
import { heartbeatPayload, boardId, statusPayload } from "./payloads.mjs";

/**
 * The manager's heartbeat path alone, in this process, with `node --trace-gc`: the manager of
 * `<root>` (this checkout or a reference build) is created with a virtual clock and an in-process
 * link that plays the broker — it delivers N boards' heartbeats (1 Hz, the generator's payloads,
 * probe boards changing `details` every second beat) and keeps every retained message the
 * manager publishes as the broker does (a copy of the packet per topic, replaced by the next).
 * Prints one JSON line: CPU per beat and what the beats left to the old generation.
 * argv: <root> <boards> <virtual seconds>
 */
const [root, boardsArg, secondsArg] = process.argv.slice(2);
const boards = Number(boardsArg);
const seconds = Number(secondsArg);
const { createManager } = await import(pathToFileURL(join(root, "manager", "dist", "index.js")).href);

let t = Date.UTC(2026, 11, 6);
const retained = new Map();
let handlers = null;
let published = { retained: 0, other: 0, bytes: 0 };
const link = {
  async open(h) {
    handlers = h;
    h.up();
  },
  async subscribe() {},
  unsubscribe() {},
  publish(topic, payload, opts) {
    const buf = Buffer.from(payload);
    published.bytes += buf.byteLength;
    if (opts.retain) {
      published.retained++;
      if (buf.byteLength === 0) retained.delete(topic);
      else retained.set(topic, { cmd: "publish", topic, payload: buf, qos: opts.qos, retain: true });
    } else published.other++;
  },
  connected: () => true,
  async close() {},
};
const dataDir = mkdtempSync(join(tmpdir(), "bench-path-"));
const manager = createManager({
  log: pino({ level: "silent" }),
  config: {
    topicRoot: "bbb", dataDir, heartbeatMs: 1000, rebootGraceMs: 180_000, flapMaxChanges: 6, flapWindowMs: 300_000,
    historyRetentionDays: 90, healthHistory: false, healthHistoryMaxMb: 8192, thresholds: {}, forgetLostAfterHours: 0,
    volatileRefreshMs: 5000, viewRefreshMs: 60_000, restartGraceMs: 60_000, projectRoots: [], gitHosts: [],
  },
  link,
  version: "bench",
  now: () => t,
  settleMs: 0,
});
await manager.start();

const ids = Array.from({ length: boards }, (_, i) => boardId("be", i));
const session = "benchsession1";
const startedAt = t - 3_600_000;
const probeEvery = Math.max(1, Math.floor(boards / 200));
for (const id of ids) handlers.message(`bbb/${id}/status`, Buffer.from(statusPayload("online", session)), false);
const topicsOf = ids.map((id) => `bbb/${id}/heartbeat`);
const seq = new Uint32Array(boards);

// One virtual second: every board beats once, spread evenly; the publisher and the sweep tick every 100 ms.
function second() {
  const step = 1000 / boards;
  let nextTick = t + 100;
  for (let i = 0; i < boards; i++) {
    t += step;
    const s = ++seq[i];
    const details = i % probeEvery === 0 ? `probe ${Math.floor(s / 2)}` : undefined;
    handlers.message(topicsOf[i], Buffer.from(heartbeatPayload(ids[i], session, s, i, startedAt, details, t)), false);
    if (t >= nextTick) {
      manager.publisher.flushNow();
      manager.registry.sweep();
      nextTick += 100;
    }
  }
}
// Warm-up: every board online and published, the first view refreshes behind.
for (let s = 0; s < 10; s++) second();
published = { retained: 0, other: 0, bytes: 0 };
console.log("MARK start");
const cpu0 = process.cpuUsage();
for (let s = 0; s < seconds; s++) second();
const cpu = process.cpuUsage(cpu0);
console.log("MARK end");
const states = {};
for (const rec of manager.registry.records.values()) states[rec.state] = (states[rec.state] ?? 0) + 1;
console.log(`RESULT ${JSON.stringify({ boards, seconds, beats: boards * seconds, cpuUs: cpu.user + cpu.system, published, states, retained: retained.size })}`);
await manager.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
