import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * What one SUBSCRIBE costs Aedes' in-memory retained store (aedes-persistence) with N boards'
 * retained heartbeat and status: each subscription is tested against every retained topic
 * (BENCHMARKS.md findings). Measured on an agent's own command filter, which never matches.
 */
export async function retainedScanCost(sizes = [1000, 5000, 10_000, 20_000], subscribes = 40) {
  const require = createRequire(fileURLToPath(new URL("../../broker/package.json", import.meta.url)));
  const Persistence = require("aedes-persistence/asyncPersistence.js");
  const id = (i) => `be${i.toString(16).padStart(10, "0")}`;
  const out = [];
  for (const n of sizes) {
    const store = new Persistence();
    for (let i = 0; i < n; i++) {
      await store.storeRetained({ topic: `bbb/${id(i)}/heartbeat`, payload: Buffer.from("x"), retain: true, qos: 0 });
      await store.storeRetained({ topic: `bbb/${id(i)}/status`, payload: Buffer.from("x"), retain: true, qos: 1 });
    }
    const t0 = performance.now();
    for (let j = 0; j < subscribes; j++) {
      for await (const _ of store.createRetainedStreamCombi([`bbb/${id(j)}/cmd/#`])) void _;
    }
    const ms = (performance.now() - t0) / subscribes;
    out.push({ boards: n, retained: 2 * n, msPerSubscribe: Math.round(ms * 100) / 100, cpuSecondsToConnectAll: Math.round((ms * n) / 2 / 100) / 10 });
  }
  return out;
}
