import { cpus, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { scryptSync } from "node:crypto";
import { loadAverage } from "./proc-stat.mjs";
import { mosquittoVersion } from "./mosquitto.mjs";

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

/**
 * How fast this machine is for CPU-bound work, as one figure a reader can compare across runs:
 * the median of three scrypt password checks at the broker's cost (N=2^15, r=8, p=1). Machines
 * of the same kind differed by about 3.5 × in it (BENCHMARKS.md, "Machine"), which moves every absolute figure.
 */
export function scryptMs() {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    scryptSync("bench", Buffer.alloc(16), 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 2 ** 26 });
    times.push(performance.now() - t0);
  }
  return Math.round(times.sort((a, b) => a - b)[1]);
}

/** Description of the machine a result was measured on (every result names the machine it ran on). */
export function describeMachine() {
  return {
    date: new Date().toISOString(),
    nproc: Number(tryRun("nproc", [])) || cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: tryRun("uname", ["-r"]),
    mosquitto: mosquittoVersion(),
    redis: tryRun("redis-server", ["--version"])?.split(" ").find((s) => s.startsWith("v="))?.slice(2) ?? null,
    loadAvgBefore: loadAverage(),
    scryptMs: scryptMs(),
  };
}

export function machineLine(m) {
  return `${m.nproc} × ${m.cpuModel}, ${m.ramGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.mosquitto ?? "mosquitto ?"}, redis ${m.redis ?? "?"}${m.scryptMs ? `; one scrypt check (N=2^15, r=8) ${m.scryptMs} ms` : ""}; load average before the run ${m.loadAvgBefore.join(" / ")} (1/5/15 min); ${m.date}`;
}
