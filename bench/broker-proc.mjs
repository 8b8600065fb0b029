import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver, constants, monitorEventLoopDelay } from "node:perf_hooks";
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";

/**
 * A broker in its own process for the broker-tier benchmark, so that its CPU and RSS can be
 * read from /proc/<pid>: `ours` is createBroker of @bbb/broker with the real user store and
 * the auth/ACL hooks; `aedes` is plain Aedes with a noDelay TCP server (the reference
 * point for the hooks' cost); `ours-packets` is ours with Aedes' own retained store (packet
 * copies, the previous design); `floor` is lib/floor-broker.mjs, a bare Node relay (the least a
 * Node broker spends per message). argv: <ours|ours-packets|aedes|floor> [redisUrl]. Replies over IPC.
 *
 * The event-loop delay monitor runs only between `eld-start` and `eld`: at 1 ms resolution it
 * is a timer waking the process 1,000 times a second, which cost ~0.03 core (a third of our
 * broker's CPU at 600 boards, none of it the broker's) when it ran during the CPU window.
 */
const [mode = "ours", redisUrl] = process.argv.slice(2);
const VIEWER = { username: "bench-viewer", password: "bench-viewer-password" };
let stopFn = async () => {};
const eld = monitorEventLoopDelay({ resolution: 1 });

/** Garbage-collection pauses on the main thread by kind (perf_hooks 'gc' entries), since `gc-reset`. */
const GC_KINDS = { [constants.NODE_PERFORMANCE_GC_MINOR]: "minor", [constants.NODE_PERFORMANCE_GC_MAJOR]: "major", [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental", [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb" };
const gcEmpty = () => ({ t0: performance.now(), minor: { n: 0, ms: 0, max: 0 }, major: { n: 0, ms: 0, max: 0 }, incremental: { n: 0, ms: 0, max: 0 }, weakcb: { n: 0, ms: 0, max: 0 } });
let gc = gcEmpty();
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const k = gc[GC_KINDS[e.detail?.kind] ?? "weakcb"];
    k.n++;
    k.ms += e.duration;
    k.max = Math.max(k.max, e.duration);
  }
}).observe({ entryTypes: ["gc"] });

async function startOurs() {
  const { createBroker, createUserStore } = await import("@bbb/broker");
  const { default: pino } = await import("pino");
  const log = pino({ level: process.env.BENCH_BROKER_LOG ?? "warn" });
  const dir = mkdtempSync(join(tmpdir(), "bench-broker-"));
  const users = createUserStore({ file: join(dir, "users.json"), log });
  await users.load();
  await users.upsert(VIEWER.username, "viewer", VIEWER.password);
  const fleetSecret = process.env.BENCH_FLEET_SECRET ?? "bench-fleet-secret";
  const broker = createBroker({ log, topicRoot: "bbb", fleetSecret, users, ...(redisUrl ? { cluster: { redisUrl } } : {}), ...(mode === "ours-packets" ? { retainedStore: "packets" } : {}) });
  const { mqttPort } = await broker.start({ mqttPort: Number(process.env.BENCH_BROKER_PORT ?? 0), bind: "127.0.0.1" });
  // BENCH_LOCAL_SUB=<filter,...>: an in-process client on these filters, as the all-in-one
  // server's manager is (diagnosis of the broker's own share of the server's work).
  if (process.env.BENCH_LOCAL_SUB) {
    const local = broker.localClient({ message: () => {}, error: () => {} });
    await local.subscribe(process.env.BENCH_LOCAL_SUB.split(","));
  }
  stopFn = async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return mqttPort;
}

/** The floor (floor-broker.mjs): the least a Node broker spends per heartbeat. */
async function startFloor() {
  const { startFloorBroker } = await import("./lib/floor-broker.mjs");
  const floor = await startFloorBroker({ port: Number(process.env.BENCH_BROKER_PORT ?? 0) });
  stopFn = floor.close;
  return floor.port;
}

async function startAedes() {
  const { Aedes } = await import("aedes");
  const aedes = await Aedes.createBroker({ maxClientsIdLength: 128 });
  aedes.on("error", () => {});
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on("error", () => {});
    aedes.handle(s);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  stopFn = async () => {
    server.close();
    await new Promise((r) => aedes.close(r));
  };
  return server.address().port;
}

/** CPU profile of the measuring window only (`prof-start` … `prof-stop <file>`), without start-up and ramp. */
let profiler = null;
let heapProfiler = null;

/** An inspector session of this process with `domain` enabled and `start` sent. */
async function startSession(domain, start, params, before) {
  const s = new Session();
  s.connect();
  await s.post(`${domain}.enable`);
  if (before) await s.post(before.method, before.params);
  await s.post(start, params);
  return s;
}

/** Sends `stop`, writes the profile it answers to `file` and ends the session. */
async function stopSession(s, stop, file) {
  const { profile } = await s.post(stop);
  writeFileSync(file, JSON.stringify(profile));
  s.disconnect();
}

process.on("message", async (msg) => {
  if (msg?.cmd === "prof-start") {
    // BENCH_PROF_INTERVAL_US: the sampling interval (V8's default is 1,000 µs, coarse for a
    // broker busy a few hundred ms in a window).
    const us = Number(process.env.BENCH_PROF_INTERVAL_US ?? 0);
    profiler = await startSession("Profiler", "Profiler.start", undefined, us > 0 ? { method: "Profiler.setSamplingInterval", params: { interval: us } } : undefined);
    process.send({ rid: msg.rid });
  }
  if (msg?.cmd === "prof-stop") {
    await stopSession(profiler, "Profiler.stop", msg.file);
    profiler = null;
    process.send({ rid: msg.rid });
  }
  // Sampled allocations of the window (`heap-start` … `heap-stop <file>`). With `survivors`, only
  // objects that lived through a scavenge are kept (V8 drops those a minor GC collects): what
  // each message leaves for the old generation's marking.
  if (msg?.cmd === "heap-start") {
    heapProfiler = await startSession("HeapProfiler", "HeapProfiler.startSampling", { samplingInterval: msg.intervalBytes ?? 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !msg.survivors });
    process.send({ rid: msg.rid });
  }
  if (msg?.cmd === "heap-stop") {
    await stopSession(heapProfiler, "HeapProfiler.stopSampling", msg.file);
    heapProfiler = null;
    process.send({ rid: msg.rid });
  }
  if (msg?.cmd === "eld-start") {
    eld.reset();
    eld.enable();
    process.send({ rid: msg.rid });
  }
  if (msg?.cmd === "gc-reset") {
    gc = gcEmpty();
    process.send({ rid: msg.rid });
  }
  if (msg?.cmd === "gc") process.send({ rid: msg.rid, windowS: (performance.now() - gc.t0) / 1000, ...gc });
  if (msg?.cmd === "eld") {
    eld.disable();
    process.send({ rid: msg.rid, p50: eld.percentile(50) / 1e6 - 1, p99: eld.percentile(99) / 1e6 - 1, max: eld.max / 1e6 - 1 });
    eld.reset();
  }
});
process.on("SIGTERM", () => {
  stopFn().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
process.on("disconnect", () => process.exit(0));

try {
  const port = mode === "aedes" ? await startAedes() : mode === "floor" ? await startFloor() : await startOurs();
  process.send({ type: "ready", port, viewer: mode.startsWith("ours") ? VIEWER : null });
} catch (e) {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
}
