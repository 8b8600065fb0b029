import type { Heartbeat } from "@bbb/shared";
import type { Logger } from "pino";
import type { NetBackend, NetState } from "../backends/net/types.js";
import type { SystemdBackend } from "../backends/systemd.js";
import type { Exec } from "../system/exec.js";
import type { RootedFs } from "../system/rooted-fs.js";
import { startPoll, type SharedIntervals } from "../system/shared-intervals.js";
import { plainRunner } from "../system/runner.js";
import { diskUsedPct } from "./system-facts.js";
import { readTimeSync, type TimeSyncFacts } from "./time-sync.js";

export interface SlowFacts {
  net: NetState | null;
  diskUsedPct?: number;
  services?: Heartbeat["services"];
  timeSync?: TimeSyncFacts;
}

/**
 * Facts that change rarely or cost a process spawn (service states, network backend files,
 * statfs): polled every few seconds, not per beat (docs/protocol.md §"Commands and results": services).
 */
export function createSlowFacts(deps: {
  fs: RootedFs;
  exec: Exec;
  net: NetBackend;
  systemd: SystemdBackend;
  services: readonly string[];
  intervalMs: number;
  log: Logger;
  now?: () => number;
  /** Time sync may spawn chronyc / ntpq / timedatectl: asked at most this often, not every poll. */
  timeSyncPollMs: number;
  /** The agent's shared timers (the poll ticks with the heartbeat); default: a timer of its own. */
  intervals?: SharedIntervals;
}) {
  const log = deps.log.child({ module: "slow-facts" });
  let facts: SlowFacts = { net: null };
  let stopPoll: (() => void) | null = null;
  let busy = false;
  const run = plainRunner(deps.exec);
  const now = deps.now ?? Date.now;
  let timeSync: TimeSyncFacts | undefined;
  let timeSyncAt = -Infinity;

  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      const next: SlowFacts = { net: null };
      try {
        next.net = await deps.net.read(run);
      } catch (e: unknown) {
        log.debug({ err: e }, "network read failed");
      }
      const st = await deps.fs.statfs("/");
      const d = st ? diskUsedPct(st) : null;
      if (d !== null) next.diskUsedPct = d;
      if (deps.services.length) {
        try {
          next.services = await deps.systemd.states(deps.services);
        } catch (e: unknown) {
          log.debug({ err: e }, "service states failed");
        }
      }
      const t = now();
      if (timeSync === undefined || t - timeSyncAt >= deps.timeSyncPollMs || t < timeSyncAt) {
        timeSyncAt = t;
        timeSync = await readTimeSync(deps.fs, run);
      }
      next.timeSync = timeSync;
      facts = next;
    } finally {
      busy = false;
    }
  };

  return {
    get: () => facts,
    poll,
    async start() {
      await poll();
      stopPoll = startPoll(() => void poll(), deps.intervalMs, deps.intervals);
    },
    stop() {
      stopPoll?.();
      stopPoll = null;
    },
  };
}
