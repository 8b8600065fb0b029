import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { START_FLAGS } from "../lib/node-flags.mjs";
import { referenceServer } from "../lib/server-runner.mjs";
import { trackChild } from "../lib/children.mjs";
import { progress } from "../lib/progress.mjs";
import { round } from "../lib/stats.mjs";

const WORKER = fileURLToPath(new URL("../lib/manager-path-worker.mjs", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the worker under `node --trace-gc` with the product's flags and reads its GC lines. */
function runOnce(root, boards, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...START_FLAGS, "--trace-gc", WORKER, root, String(boards), String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
    trackChild(child, "manager-path");
    let out = "";
    child.stdout.on("data", (d) => (out += d.toString()));
    child.on("exit", (code) => {
      const lines = out.split("\n");
      const a = lines.findIndex((l) => l === "MARK start");
      const b = lines.findIndex((l) => l === "MARK end");
      const r = lines.find((l) => l.startsWith("RESULT "));
      if (code !== 0 || a < 0 || b < 0 || !r) return reject(new Error(`worker exit ${code}: ${out.slice(-500)}`));
      const res = JSON.parse(r.slice(7));
      // "Mark-Compact 316.2 (330.1) -> 165.3 (180.0) MB, pooled: 0 MB, 9.1 / 0.0 ms ..." and
      // "Scavenge 80.1 (90.2) -> 20.3 (30.4) MB, ..." within the window.
      let majors = 0;
      let majorFreedMb = 0;
      let majorPauseMs = 0;
      let scavenges = 0;
      let scavengeMs = 0;
      let heapAfterMb = [];
      for (const l of lines.slice(a, b)) {
        const m = /(Mark-Compact|Scavenge|Minor Mark-Sweep)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB,[^,]*,?\s*([\d.]+) \/ ([\d.]+) ms/.exec(l);
        if (!m) continue;
        if (m[1] === "Mark-Compact") {
          majors++;
          majorFreedMb += Number(m[2]) - Number(m[4]);
          majorPauseMs += Number(m[6]);
          heapAfterMb.push(Number(m[4]));
        } else {
          scavenges++;
          scavengeMs += Number(m[6]);
        }
      }
      resolve({
        ...res,
        cpuUsPerBeat: round(res.cpuUs / res.beats, 2),
        majorGcs: majors,
        majorGcsPerMinute: round((majors / seconds) * 60, 1),
        oldGarbageMbPerS: round(majorFreedMb / seconds, 2),
        oldGarbageBytesPerBeat: round((majorFreedMb * 1048576) / res.beats, 0),
        majorPauseMs: round(majorPauseMs, 0),
        scavenges,
        scavengeMsPerS: round(scavengeMs / seconds, 2),
        heapAfterMajorMb: heapAfterMb.length ? round(Math.max(...heapAfterMb), 0) : null,
      });
    });
    child.on("error", reject);
  });
}

/**
 * The manager's heartbeat path in one process with a virtual clock (manager-path-worker.mjs):
 * CPU per beat and the old-generation garbage the beats leave, this build beside the reference
 * (BENCH_REFERENCE_ROOT) in the same run. Independent of the machine's other load (CPU time and
 * collected bytes, not wall time); the broker's own per-beat copies are not part of it.
 */
export async function runManagerPathPhase({ boards, seconds, runs }) {
  const ref = referenceServer();
  const designs = [...(ref ? [{ design: `reference ${ref.label}`, root: ref.main.replace(/\/manager\/dist\/main\.js$/, "") }] : []), { design: "this build", root: ROOT }];
  const out = [];
  for (let r = 0; r < runs; r++) {
    for (const d of r % 2 === 0 ? designs : [...designs].reverse()) {
      progress("manager-path", `${d.design}: ${boards} boards, ${seconds} virtual s (run ${r + 1}/${runs})`);
      const res = await runOnce(d.root, boards, seconds);
      progress("manager-path", `${d.design}: ${res.cpuUsPerBeat} µs/beat, ${res.oldGarbageMbPerS} MB/s old garbage (${res.oldGarbageBytesPerBeat} B/beat), ${res.majorGcs} mark-compacts, published ${JSON.stringify(res.published)}`);
      out.push({ design: d.design, run: r + 1, ...res });
    }
  }
  return { runs: out };
}
