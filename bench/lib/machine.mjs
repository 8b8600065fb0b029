import { cpus, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { loadAverage } from "./proc-stat.mjs";
import { mosquittoVersion } from "./mosquitto.mjs";

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
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
  };
}

export function machineLine(m) {
  return `${m.nproc} × ${m.cpuModel}, ${m.ramGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, ${m.mosquitto ?? "mosquitto ?"}, redis ${m.redis ?? "?"}; load average before the run ${m.loadAvgBefore.join(" / ")} (1/5/15 min); ${m.date}`;
}
