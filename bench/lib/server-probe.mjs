import { PerformanceObserver, constants, monitorEventLoopDelay } from "node:perf_hooks";
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";
import { createStallRecorder } from "./stall-recorder.mjs";

/**
 * Loaded into the server under test with `node --import` (the product is not changed): counts
 * the heartbeats the manager decodes (every inbound payload goes through JSON.parse in
 * decodePayload; the generator's heartbeats start with `{"bt":<send time>`), the time from
 * the board's send to that decode, and the event-loop delay. Answers over the IPC channel.
 */
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
// Garbage-collection pauses and event-loop stalls of the window: what the latency tail is made of.
const MAJOR = constants.NODE_PERFORMANCE_GC_MAJOR;
let gc = { n: 0, totalMs: 0, maxMs: 0, major: 0, majorMaxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.n++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    if (e.detail?.kind === MAJOR) {
      gc.major++;
      gc.majorMaxMs = Math.max(gc.majorMaxMs, e.duration);
    }
  }
}).observe({ entryTypes: ["gc"] });
const stallRecorder = createStallRecorder();
const origParse = JSON.parse;
let decoded = 0;
let session = null;
let decodedSince = 0;
let windowFrom = Infinity;
let lat = [];
const MAX_SAMPLES = 400_000;

JSON.parse = function parse(text, reviver) {
  if (typeof text === "string" && text.charCodeAt(2) === 98 /* b */ && text.startsWith('{"bt":')) {
    decoded++;
    const bt = parseFloat(text.slice(6, 26));
    if (bt >= windowFrom) {
      decodedSince++;
      if (lat.length < MAX_SAMPLES) lat.push(performance.timeOrigin + performance.now() - bt);
    }
  }
  return origParse(text, reviver);
};

function summarize(values) {
  if (values.length === 0) return { n: 0, p50: null, p99: null, max: null };
  const s = Float64Array.from(values).sort();
  const at = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return { n: s.length, p50: at(50), p99: at(99), max: s[s.length - 1] };
}

if (process.send) {
  process.on("message", (msg) => {
    if (msg?.cmd === "probe-window") {
      windowFrom = msg.since;
      lat = [];
      decodedSince = 0;
      eld.reset();
      gc = { n: 0, totalMs: 0, maxMs: 0, major: 0, majorMaxMs: 0 };
      stallRecorder.reset();
      process.send({ rid: msg.rid, decoded });
    } else if (msg?.cmd === "profile-start") {
      // A CPU profile of the measurement window only (not the start-up nor the ramp).
      session ??= new Session();
      session.connect();
      session.post("Profiler.enable", () =>
        session.post("Profiler.setSamplingInterval", { interval: msg.intervalUs ?? 1000 }, () =>
          session.post("Profiler.start", () => process.send({ rid: msg.rid, ok: true })),
        ),
      );
    } else if (msg?.cmd === "profile-stop") {
      session.post("Profiler.stop", (err, r) => {
        if (!err) writeFileSync(msg.file, JSON.stringify(r.profile));
        session.disconnect();
        process.send({ rid: msg.rid, ok: !err, error: err ? String(err) : null });
      });
    } else if (msg?.cmd === "probe-stats") {
      const mem = process.memoryUsage();
      process.send({
        rid: msg.rid,
        decoded,
        decodedSince,
        decodeLatency: summarize(lat),
        eventLoopDelay: { p50: eld.percentile(50) / 1e6 - 1, p99: eld.percentile(99) / 1e6 - 1, max: eld.max / 1e6 - 1 },
        heapUsedMiB: mem.heapUsed / 2 ** 20,
        gc,
        stalls: stallRecorder.stats().stalls,
      });
    }
  });
  // The IPC channel must not keep a stopping server alive.
  process.channel?.unref();
}
