import type { RootedFs } from "../system/rooted-fs.js";

/**
 * Per-beat facts read from /proc and /sys through the root prefix with one small read each
 * (FIELD.md: the agent must stay well under 1 % CPU of a 1 GHz Cortex-A8 at 1 Hz).
 */
export function parseUptime(text: string): number | null {
  const v = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
}

export function parseLoad1(text: string): number | null {
  const v = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(v) && v >= 0 ? v : null;
}

export function parseMemUsedPct(text: string): number | null {
  const kb = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text);
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

export async function readFastFacts(fs: RootedFs, processUptime: () => number): Promise<FastFacts> {
  const [up, load, mem, temp, host] = await Promise.all([
    fs.tryReadSmall("/proc/uptime", 128),
    fs.tryReadSmall("/proc/loadavg", 128),
    fs.tryReadSmall("/proc/meminfo", 8192),
    fs.tryReadSmall("/sys/class/thermal/thermal_zone0/temp", 32),
    fs.tryReadSmall("/etc/hostname", 256),
  ]);
  const f: FastFacts = {
    uptime: (up !== null ? parseUptime(up) : null) ?? Math.round(processUptime()),
    hostname: host?.trim().split(/\s+/)[0] ?? "",
  };
  const l = load !== null ? parseLoad1(load) : null;
  if (l !== null) f.load1 = l;
  const m = mem !== null ? parseMemUsedPct(mem) : null;
  if (m !== null) f.memUsedPct = m;
  const t = temp !== null ? parseTempC(temp) : null;
  if (t !== null) f.tempC = t;
  return f;
}
