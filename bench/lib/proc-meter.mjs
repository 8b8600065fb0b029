import { machineCpu, memory, openFiles, schedTimes } from "./proc-stat.mjs";
import { round } from "./stats.mjs";

/**
 * Figures of a system made of several processes, by group name (the generator's workers are one
 * group), over a window: cores of all threads, the busiest main thread of the group (a Node
 * process's event loop: 1.0 is saturated), cores its threads spent runnable but waiting for a
 * core (the machine was full), and the machine's busy cores in the same window (/proc/stat, so
 * the benchmark's own helpers and any other work count there too). `procs()` lists
 * `{ name, pid }` and is read at start() and read().
 */
export function createProcMeter(procs) {
  let t0 = 0;
  let snap = new Map();
  let m0 = null;
  return {
    start() {
      t0 = performance.now();
      snap = new Map(procs().map((p) => [p.pid, schedTimes(p.pid)]));
      m0 = machineCpu();
    },
    read() {
      const wallS = (performance.now() - t0) / 1000;
      const groups = {};
      for (const p of procs()) {
        const g = (groups[p.name] ??= { processes: 0, cores: 0, mainCores: 0, waitCores: 0 });
        g.processes++;
        const a = snap.get(p.pid);
        const b = schedTimes(p.pid);
        if (!a || !b || wallS <= 0) continue;
        g.cores += (b.cpuS - a.cpuS) / wallS;
        g.mainCores = Math.max(g.mainCores, (b.mainS - a.mainS) / wallS);
        g.waitCores += (b.waitS - a.waitS) / wallS;
      }
      const m1 = machineCpu();
      return { wallS, groups, machineCores: m0 && m1 && wallS > 0 ? (m1.busyS - m0.busyS) / wallS : null };
    },
  };
}

/** Resident memory (sum) and open files (sum, for processes marked `files`) by group name, now. */
export function groupFootprint(procs) {
  const out = {};
  for (const p of procs) {
    const g = (out[p.name] ??= { rssMiB: 0, openFiles: null });
    g.rssMiB += memory(p.pid).rssMiB ?? 0;
    if (p.files) g.openFiles = (g.openFiles ?? 0) + (openFiles(p.pid) ?? 0);
  }
  return out;
}

/** The groups of a meter's reading, rounded for the report. */
export function roundGroups(groups) {
  return Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, { processes: g.processes, cores: round(g.cores, 3), mainCores: round(g.mainCores, 3), waitCores: round(g.waitCores, 3) }]));
}

/**
 * A timeline of a run: at most every `everyMs`, the boards connected, each group's cores since
 * the previous entry, the machine's busy cores, and the open files of the processes marked
 * `files` (the file limit is per process). Shows when a ramp stalled and which process was busy.
 */
export function createTimeline(procs, everyMs = 2000) {
  const entries = [];
  const t0 = Date.now();
  let meter = null;
  let last = 0;
  return {
    entries,
    sample(connected) {
      const now = Date.now();
      if (meter && now - last < everyMs) return;
      if (meter) {
        const r = meter.read();
        const files = Object.fromEntries(Object.entries(groupFootprint(procs())).filter(([, g]) => g.openFiles !== null).map(([k, g]) => [k, g.openFiles]));
        entries.push({ s: round((now - t0) / 1000, 1), connected, machineCores: round(r.machineCores, 2), groups: roundGroups(r.groups), openFiles: files });
      }
      meter = createProcMeter(procs);
      meter.start();
      last = now;
    },
  };
}
