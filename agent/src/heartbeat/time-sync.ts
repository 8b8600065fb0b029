import type { Heartbeat } from "@bbb/shared";
import type { RootedFs } from "../system/rooted-fs.js";
import type { Runner } from "../system/runner.js";

export interface TimeSyncFacts {
  timeSync: NonNullable<Heartbeat["timeSync"]>;
  clockOffsetMs?: number;
}

/** systemd-timesyncd creates this file once the clock is synchronised (and removes it at boot). */
export const TIMESYNCD_FLAG = "/run/systemd/timesync/synchronized";

/** `chronyc -c tracking`: CSV; field 3 stratum, field 5 system time offset (s), last field leap status. */
export function parseChronyTracking(text: string): TimeSyncFacts | null {
  const f = text.trim().split(",");
  if (f.length < 14) return null;
  const stratum = Number(f[2]);
  const offset = Number(f[4]);
  const leap = f[f.length - 1] ?? "";
  const synced = stratum > 0 && stratum < 16 && !/not synchronised/i.test(leap);
  return {
    timeSync: synced ? "synced" : "unsynced",
    ...(Number.isFinite(offset) ? { clockOffsetMs: Math.round(offset * 1000) } : {}),
  };
}

/** `ntpq -c "rv 0 leap,offset"`: `leap=00, offset=-0.123` (offset in ms; leap 11 = not synchronised). */
export function parseNtpqVars(text: string): TimeSyncFacts | null {
  const leap = /leap=(\d\d)/.exec(text)?.[1];
  if (leap === undefined) return null;
  const off = Number(/offset=(-?[\d.]+)/.exec(text)?.[1]);
  return {
    timeSync: leap === "11" ? "unsynced" : "synced",
    ...(Number.isFinite(off) ? { clockOffsetMs: Math.round(off) } : {}),
  };
}

/** `timedatectl show -p NTPSynchronized --value`: yes / no. */
export function parseTimedatectl(text: string): TimeSyncFacts | null {
  const v = text.trim();
  return v === "yes" ? { timeSync: "synced" } : v === "no" ? { timeSync: "unsynced" } : null;
}

/**
 * Whether the board's clock is synchronised (docs/protocol.md §"Time sync"): timesyncd's flag file
 * first (no process spawned), then chrony, ntpd and timedatectl, the first that answers decides.
 * Nothing answers: `unknown`, which is not a problem (a board without any sync daemon says so).
 */
export async function readTimeSync(fs: RootedFs, run: Runner): Promise<TimeSyncFacts> {
  if (await fs.exists(TIMESYNCD_FLAG)) return { timeSync: "synced" };
  const tries: [string, string[], (t: string) => TimeSyncFacts | null][] = [
    ["chronyc", ["-c", "tracking"], parseChronyTracking],
    ["ntpq", ["-c", "rv 0 leap,offset"], parseNtpqVars],
    ["timedatectl", ["show", "-p", "NTPSynchronized", "--value"], parseTimedatectl],
  ];
  for (const [file, args, parse] of tries) {
    try {
      const r = await run(file, args, { allowFailure: true });
      const facts = r.exitCode === 0 ? parse(r.stdout) : null;
      if (facts) return facts;
    } catch {
      // A program that cannot be run tells nothing; try the next.
    }
  }
  return { timeSync: "unknown" };
}
