import type { Heartbeat } from "@bbb/shared";
import type { Logger } from "pino";
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import type { NetBackend, NetState } from "../backends/net/types.js";
import type { SystemdBackend } from "../backends/systemd.js";
import type { Exec } from "../system/exec.js";
import type { WatchDir } from "../system/file-changes.js";
import type { RootedFs } from "../system/rooted-fs.js";
import { startPoll, type SharedIntervals } from "../system/shared-intervals.js";
import { plainRunner } from "../system/runner.js";
import { createNetFacts, type InterfacesFn } from "./net-facts.js";
import { diskUsedPct } from "./system-facts.js";
import { readTimeSync, type TimeSyncFacts } from "./time-sync.js";

/**
 * The longest the root filesystem's usage goes unasked (one statfs(2)): it changes slowly
 * (logs, a project sync) and the heartbeat reports it in whole percent. An action of the agent
 * (sync-project writes files) reads it at once (`refresh()`).
 */
export const DISK_MAX_AGE_MS = 30_000;

export interface SlowFacts {
  net: NetState | null;
  /** The interface's live IPv4 address (heartbeat/net-facts.ts says how fresh). */
  addr?: NetworkInterfaceInfo;
  diskUsedPct?: number;
  services?: Heartbeat["services"];
  timeSync?: TimeSyncFacts;
}

/**
 * Facts that change rarely or cost a process spawn (service states, network backend files and
 * the address, statfs): polled every few seconds, not per beat (docs/protocol.md §"Commands and
 * results": services). The network facts are read again only when they may have changed
 * (heartbeat/net-facts.ts), the disk usage every DISK_MAX_AGE_MS; `refresh()`, after an action
 * of the agent, reads them at once.
 */
export function createSlowFacts(deps: {
  fs: RootedFs;
  exec: Exec;
  net: NetBackend;
  /** The network interface the heartbeat reports. */
  iface: string;
  /** Live interface addresses; default os.networkInterfaces. */
  interfaces?: InterfacesFn;
  watchDir?: WatchDir;
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
  let running: Promise<void> | null = null;
  const run = plainRunner(deps.exec);
  const now = deps.now ?? Date.now;
  const netFacts = createNetFacts({
    fs: deps.fs,
    net: deps.net,
    iface: deps.iface,
    interfaces: deps.interfaces ?? networkInterfaces,
    now,
    log,
    watchDir: deps.watchDir,
  });
  let timeSync: TimeSyncFacts | undefined;
  let timeSyncAt = -Infinity;
  let disk: number | null = null;
  let diskAt = -Infinity;

  const pollOnce = async (fresh: boolean) => {
    try {
      const { net, addr } = await netFacts.read(run, fresh);
      const next: SlowFacts = { net };
      if (addr) next.addr = addr;
      const t = now();
      if (fresh || t - diskAt >= DISK_MAX_AGE_MS || t < diskAt) {
        diskAt = t;
        const st = await deps.fs.statfs("/");
        disk = st ? diskUsedPct(st) : null;
      }
      if (disk !== null) next.diskUsedPct = disk;
      if (deps.services.length) {
        try {
          next.services = await deps.systemd.states(deps.services);
        } catch (e: unknown) {
          log.debug({ err: e }, "service states failed");
        }
      }
      if (timeSync === undefined || t - timeSyncAt >= deps.timeSyncPollMs || t < timeSyncAt) {
        timeSyncAt = t;
        timeSync = await readTimeSync(deps.fs, run);
      }
      next.timeSync = timeSync;
      facts = next;
    } finally {
      running = null;
    }
  };
  /**
   * One poll at a time. A timer's poll while one runs is dropped; a fresh one waits for it and
   * runs after: the action's change must not be missed by a poll that read before it.
   */
  const refresh = (): Promise<void> => poll(true);
  const poll = (fresh = false): Promise<void> => {
    if (running) return fresh ? running.then(refresh, refresh) : running;
    running = pollOnce(fresh);
    return running;
  };

  return {
    get: () => facts,
    poll: () => poll(),
    /** Reads everything now (after an action of the agent: set-ip, set-nameservers, …). */
    refresh,
    async start() {
      await poll();
      stopPoll = startPoll(() => void poll(), deps.intervalMs, deps.intervals);
    },
    stop() {
      stopPoll?.();
      stopPoll = null;
      netFacts.close();
    },
  };
}
