#!/usr/bin/env node
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PerformanceObserver, constants } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";

/**
 * What retained heartbeats cost the broker's garbage collector, without sockets: N boards'
 * heartbeats (~560 bytes, a new topic string and payload buffer each, as the MQTT parser hands
 * them over, wrapped in an aedes-packet as Aedes' publish does) go into (a) Aedes' in-memory
 * retained store (aedes-persistence: a packet copy per publish) or (b) retained-store.ts (bytes
 * copied into one slot per topic), with the product's young generation (--max-semi-space-size=64)
 * and ~1.5 KB of other short-lived garbage per message. Counts collections and their pauses
 * (perf_hooks 'gc') per simulated second. `node bench/retained-gc.mjs [boards=10000] [seconds=60]`
 * after `tsc -b`; each store runs in a fresh process.
 */
const [boards = 10_000, seconds = 60] = process.argv.slice(2, 4).map(Number);
const mode = process.argv[4];

async function child() {
  const Packet = (await import("aedes-packet")).default;
  let store;
  if (mode === "packets") {
    const memory = (await import("aedes-persistence")).default;
    const p = memory();
    store = (packet) => p.storeRetained(packet);
  } else {
    const { createRetainedStore } = await import("../broker/dist/retained-store.js");
    const s = createRetainedStore();
    store = (packet) => s.store(packet);
  }
  const broker = { id: "bench", counter: 0 };
  const body = Buffer.from(JSON.stringify({ v: 1, id: "b", ts: 0, pad: "x".repeat(500) }));
  const gc = { minor: [0, 0], major: [0, 0], other: [0, 0] };
  const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: "minor", [constants.NODE_PERFORMANCE_GC_MAJOR]: "major" };
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) {
      const k = gc[kinds[e.detail?.kind] ?? "other"];
      k[0]++;
      k[1] += e.duration;
    }
  }).observe({ entryTypes: ["gc"] });
  let sink = 0;
  const oldUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === "old_space").space_used_size;
  const t0 = performance.now();
  for (let s = 0; s < seconds; s++) {
    for (let b = 0; b < boards; b++) {
      const payload = Buffer.allocUnsafe(body.length);
      body.copy(payload);
      const parsed = { cmd: "publish", retain: true, qos: 0, dup: false, length: payload.length + 40, topic: "bbb/" + "board-" + b + "/heartbeat", payload };
      await store(new Packet(parsed, broker));
      // The rest of a message's short-lived garbage (parser state, delivery packet, write buffers).
      sink += new Packet(parsed, broker).payload.length + Buffer.allocUnsafe(1024).length + JSON.stringify(parsed.topic).length;
    }
  }
  await new Promise((r) => setTimeout(r, 100));
  const cpuS = (performance.now() - t0) / 1000;
  process.send({ mode, boards, seconds, messages: boards * seconds, wallS: cpuS, oldSpaceMiB: oldUsed() / 2 ** 20, scavenges: gc.minor[0], scavengeMs: gc.minor[1], markCompacts: gc.major[0], markCompactMs: gc.major[1], otherMs: gc.other[1], sink });
}

if (mode) await child();
else {
  const self = fileURLToPath(import.meta.url);
  const out = [];
  for (const m of ["packets", "bytes"]) {
    const c = fork(self, [String(boards), String(seconds), m], { execArgv: ["--max-semi-space-size=64"] });
    out.push(await new Promise((resolve) => c.on("message", resolve)));
    c.kill();
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}
