import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK, 100 on Linux). */
let clkTck = 100;
try {
  clkTck = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
} catch {
  clkTck = 100;
}

/**
 * CPU seconds consumed so far by a process, or null when it is gone: the sum of its threads'
 * run time from /proc/<pid>/task/<tid>/schedstat (nanoseconds, so short windows and one
 * light process like the agent are measured exactly); /proc/<pid>/stat ticks as a fallback.
 */
export function cpuSeconds(pid) {
  const t = schedTimes(pid);
  return t && t.cpuS > 0 ? t.cpuS : tickSeconds(pid);
}

/**
 * A process's threads from /proc/<pid>/task/<tid>/schedstat, in seconds: `cpuS` run time of all
 * threads, `mainS` of the main thread alone (a Node process's JavaScript: one second per second
 * is a saturated event loop), `waitS` time its threads were runnable but waited for a core (the
 * machine's cores were busy). Null when the process is gone or has no schedstat.
 */
export function schedTimes(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const t = { cpuS: 0, mainS: 0, waitS: 0 };
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ").map(Number);
      t.cpuS += run / 1e9;
      t.waitS += wait / 1e9;
      if (tid === String(pid)) t.mainS = run / 1e9;
    } catch {
      /* thread ended meanwhile */
    }
  }
  return t;
}

/** Open file descriptors of a process (its sockets included), or null when it is gone. */
export function openFiles(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** CPU seconds of the whole machine so far (/proc/stat): busy (all but idle and iowait) and total. */
export function machineCpu() {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busyS: (total - f[3] - f[4]) / clkTck, totalS: total / clkTck };
  } catch {
    return null;
  }
}

function tickSeconds(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces: fields are counted after its ')'.
    const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return (utime + stime) / clkTck;
  } catch {
    return null;
  }
}

/** Resident set size and its peak, in MiB, from /proc/<pid>/status. */
export function memory(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+)`, "m")) ?? [])[1] ?? NaN);
    return { rssMiB: kb("VmRSS") / 1024, peakMiB: kb("VmHWM") / 1024 };
  } catch {
    return { rssMiB: null, peakMiB: null };
  }
}

/** A CPU meter over a window: start() then stop() gives cores used and CPU seconds. */
export function createCpuMeter(pids) {
  let t0 = 0;
  let c0 = [];
  return {
    start() {
      t0 = performance.now();
      c0 = pids.map(cpuSeconds);
    },
    stop() {
      const wall = (performance.now() - t0) / 1000;
      const c1 = pids.map(cpuSeconds);
      const cpu = c1.reduce((sum, c, i) => sum + ((c ?? 0) - (c0[i] ?? 0)), 0);
      return { wallS: wall, cpuS: cpu, cores: wall > 0 ? cpu / wall : null };
    },
  };
}

/** One-minute load average and the machine's CPU count (for the report). */
export function loadAverage() {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
  } catch {
    return [null, null, null];
  }
}
