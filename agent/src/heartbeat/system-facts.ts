import { closeSync, openSync, readSync } from "node:fs";
import { createFileChanges, inotifyWatchDir, type WatchDir } from "../system/file-changes.js";
import type { RootedFs } from "../system/rooted-fs.js";

/**
 * Per-beat facts read from /proc and /sys through the root prefix with one small read each
 * (the agent must stay well under 1 % CPU of a 1 GHz Cortex-A8 at 1 Hz).
 */
export function parseUptime(text: string): number | null {
  const v = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
}

export function parseLoad1(text: string): number | null {
  const v = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(v) && v >= 0 ? v : null;
}

const MEMINFO_KEYS = {
  MemTotal: /^MemTotal:\s+(\d+)/m,
  MemAvailable: /^MemAvailable:\s+(\d+)/m,
  MemFree: /^MemFree:\s+(\d+)/m,
  Buffers: /^Buffers:\s+(\d+)/m,
  Cached: /^Cached:\s+(\d+)/m,
};

export function parseMemUsedPct(text: string): number | null {
  const kb = (key: keyof typeof MEMINFO_KEYS): number | null => {
    const m = MEMINFO_KEYS[key].exec(text);
    return m?.[1] ? Number(m[1]) : null;
  };
  const total = kb("MemTotal");
  // MemAvailable exists since Linux 3.14; older kernels: free + buffers + cached.
  const avail = kb("MemAvailable") ?? sumOrNull([kb("MemFree"), kb("Buffers"), kb("Cached")]);
  if (!total || avail === null) return null;
  return round1(Math.min(100, Math.max(0, ((total - avail) / total) * 100)));
}

export function parseTempC(text: string): number | null {
  const v = Number(text.trim());
  if (!Number.isFinite(v)) return null;
  const c = round1(v / 1000);
  return c >= -100 && c <= 250 ? c : null;
}

export function diskUsedPct(s: { blocks: number; bfree: number; bavail: number }): number | null {
  // Same formula as df: used / (used + available to unprivileged users).
  const used = s.blocks - s.bfree;
  const denom = used + s.bavail;
  return denom > 0 ? round1(Math.min(100, (used / denom) * 100)) : null;
}

function sumOrNull(xs: Array<number | null>): number | null {
  let s = 0;
  for (const x of xs) {
    if (x === null) return null;
    s += x;
  }
  return s;
}

export const round1 = (x: number) => Math.round(x * 10) / 10;

export interface FastFacts {
  uptime: number;
  load1?: number;
  memUsedPct?: number;
  tempC?: number;
  hostname: string;
}

const FAST_PATHS = {
  uptime: "/proc/uptime",
  loadavg: "/proc/loadavg",
  meminfo: "/proc/meminfo",
  temp: "/sys/class/thermal/thermal_zone0/temp",
  hostname: "/etc/hostname",
} as const;

/**
 * The per-beat reads, synchronous, into one reused buffer: /proc and /sys answer from memory, so
 * this never blocks the loop for long, while the promise API costs three libuv thread-pool round
 * trips and four allocations per file. The procfs and sysfs files stay open and are read with
 * pread(2) at offset 0, which makes the kernel generate them afresh: one system call per file
 * and beat instead of three (CPU per heartbeat, BENCHMARKS.md §"Agent footprint").
 * /etc/hostname is a regular file that set-hostname replaces by rename, so it cannot be kept open;
 * it is read again only when its directory's watch names it (file-changes.ts). `close()` gives
 * the descriptors and the watch back (the agent's stop); a later read opens them again.
 */
export function createFastFactsReader(fs: RootedFs, processUptime: () => number, watchDir: WatchDir = inotifyWatchDir) {
  const buf = Buffer.allocUnsafe(8192);
  const kept = (path: string) => ({ path: fs.resolve(path), fd: -1 });
  const files = {
    uptime: kept(FAST_PATHS.uptime),
    loadavg: kept(FAST_PATHS.loadavg),
    meminfo: kept(FAST_PATHS.meminfo),
    temp: kept(FAST_PATHS.temp),
  };
  const hostnamePath = fs.resolve(FAST_PATHS.hostname);
  const hostnameChanges = createFileChanges(fs, FAST_PATHS.hostname, watchDir);
  let hostname = "";
  const readAt = (fd: number, max: number) => buf.toString("utf8", 0, readSync(fd, buf, 0, Math.min(max, buf.length), 0));
  const readOnce = (p: string, max: number): string | null => {
    let fd = -1;
    try {
      fd = openSync(p, "r");
      return readAt(fd, max);
    } catch {
      return null;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  };
  const closeKept = (f: { fd: number }) => {
    if (f.fd >= 0) {
      try {
        closeSync(f.fd);
      } catch {
        // Already gone: nothing to give back.
      }
    }
    f.fd = -1;
  };
  /** A failed read (a file that vanished, a descriptor gone bad) is retried once on a fresh one. */
  const readKept = (f: { path: string; fd: number }, max: number): string | null => {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (f.fd < 0) f.fd = openSync(f.path, "r");
        return readAt(f.fd, max);
      } catch {
        closeKept(f);
      }
    }
    return null;
  };
  const read = (): FastFacts => {
    const up = readKept(files.uptime, 128);
    const load = readKept(files.loadavg, 128);
    const mem = readKept(files.meminfo, 8192);
    const temp = readKept(files.temp, 32);
    if (hostnameChanges.changed()) hostname = readOnce(hostnamePath, 256)?.trim().split(/\s+/)[0] ?? "";
    const f: FastFacts = {
      uptime: (up !== null ? parseUptime(up) : null) ?? Math.round(processUptime()),
      hostname,
    };
    const l = load !== null ? parseLoad1(load) : null;
    if (l !== null) f.load1 = l;
    const m = mem !== null ? parseMemUsedPct(mem) : null;
    if (m !== null) f.memUsedPct = m;
    const t = temp !== null ? parseTempC(temp) : null;
    if (t !== null) f.tempC = t;
    return f;
  };
  return {
    read,
    close() {
      closeKept(files.uptime);
      closeKept(files.loadavg);
      closeKept(files.meminfo);
      closeKept(files.temp);
      hostnameChanges.close();
    },
  };
}
