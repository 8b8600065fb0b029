import type { NetworkInterfaceInfo } from "node:os";
import type { Logger } from "pino";
import type { InterfacesFn, NetBackend, NetState } from "../backends/net/types.js";
import {
  createDirChanges,
  createFileChanges,
  inotifyWatchDir,
  type FileChanges,
  type WatchDir,
} from "../system/file-changes.js";
import type { RootedFs } from "../system/rooted-fs.js";
import type { Runner } from "../system/runner.js";

export type { InterfacesFn };

/**
 * The longest the interface's address goes unasked when nothing tells of a change: a DHCP client
 * that records no lease where one is watched, an address set by hand with `ip addr`. The
 * heartbeat's `ip` is then up to this (plus one poll) out of date; a change a watched file
 * tells of (the backend's configuration, connman's settings, networkd's and dhclient's leases)
 * is seen at the next poll. One minute, as the inventory: an operator who changes an address
 * without the agent looks for the board again at that pace, not within seconds.
 */
export const ADDR_MAX_AGE_MS = 60_000;
/**
 * After one of the agent's own actions (set-ip, a DHCP renewal it asked for) the address is
 * asked at every poll for this long: networkd, connman and dhclient apply a configuration, and a
 * DHCP server answers, seconds after the command returned.
 */
export const ADDR_SETTLE_MS = 60_000;
/**
 * The longest a backend that asks live state with a process (`ip`) goes unread while its sign
 * of change (NetBackend.liveSign) stays the same: what the sign cannot see (an address that
 * turned from DHCP to manual, or back, and nothing else) is up to this (plus one poll) late.
 */
export const LIVE_MAX_AGE_MS = 60_000;

export interface NetFacts {
  net: NetState | null;
  /** The interface's live IPv4 address (os.networkInterfaces()). */
  addr: NetworkInterfaceInfo | undefined;
}

interface Watches {
  /** What read() reads: unchanged means the last answer still holds. */
  sources: FileChanges[];
  /** DHCP leases: a change means the live address may have changed. */
  leases: FileChanges[];
}

const sameNet = (a: NetState | null, b: NetState | null) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The network facts of the heartbeat at the slow poll's pace, each asked only when it may have
 * changed (CPU per heartbeat, BENCHMARKS.md §"Agent footprint"): the backend's files are read
 * again when an inotify watch of their directory names them (system/file-changes.ts), and the
 * address (a netlink dump of every interface, ~25 µs even when warm) is asked when those facts
 * or a DHCP lease changed, at every poll for ADDR_SETTLE_MS after an action of the agent, and
 * otherwise every ADDR_MAX_AGE_MS. A backend that reads live state (`ip`, two processes) is read
 * when its sign of change (NetBackend.liveSign: addresses, routes, resolv.conf) differs, and
 * otherwise every LIVE_MAX_AGE_MS; its address moves with that sign, so it is asked as a watched
 * backend's. Where a source cannot be watched, or a live backend gives no sign, both are read
 * at every poll, as without watches; a watch that failed is tried again every WATCH_RETRY_MS (a
 * lease folder made after boot). `fresh` (after an action of the agent) reads everything at once.
 */
export function createNetFacts(deps: {
  fs: RootedFs;
  net: NetBackend;
  iface: string;
  interfaces: InterfacesFn;
  now: () => number;
  log: Logger;
  watchDir?: WatchDir;
}) {
  const watchDir = deps.watchDir ?? inotifyWatchDir;
  let watches: Watches | null = null;
  let net: NetState | null = null;
  let netRead = false;
  let addr: NetworkInterfaceInfo | undefined;
  let addrAt = -Infinity;
  let settleUntil = -Infinity;
  /** The live backend's sign at the last read, and when that read was. */
  let readSign: string | null = null;
  let readAt = -Infinity;

  const setUp = async (): Promise<Watches | null> => {
    const s = (await deps.net.sources?.()) ?? null;
    if (!s) return null;
    return {
      sources: [
        ...s.files.map((f) => createFileChanges(deps.fs, f, watchDir, deps.now)),
        ...s.dirs.map((d) => createDirChanges(deps.fs, d, watchDir, deps.now)),
      ],
      leases: s.leaseDirs.map((d) => createDirChanges(deps.fs, d, watchDir, deps.now)),
    };
  };
  /** Asks every watch (each clears its own flag) before anything is read. */
  const anyChanged = (list: FileChanges[]) => list.map((c) => c.changed()).includes(true);

  const readNet = async (run: Runner): Promise<boolean> => {
    let next: NetState | null = null;
    try {
      next = await deps.net.read(run);
      netRead = true;
    } catch (e: unknown) {
      // Read again at the next poll.
      netRead = false;
      deps.log.debug({ err: e }, "network read failed");
    }
    if (sameNet(next, net)) return false;
    net = next;
    return true;
  };

  return {
    async read(run: Runner, fresh = false): Promise<NetFacts> {
      const t = deps.now();
      watches ??= await setUp();
      // No files to watch: a live backend's sign stands in for them (null: nothing tells).
      const sign = watches === null ? (deps.net.liveSign?.() ?? null) : null;
      const sourcesChanged =
        watches === null
          ? sign === null || sign !== readSign || t - readAt >= LIVE_MAX_AGE_MS || t < readAt
          : anyChanged(watches.sources);
      const leased = watches !== null && watches.leases.map((c) => c.changed() && c.watching()).includes(true);
      const unwatched = watches === null ? sign === null : !watches.sources.every((c) => c.watching());
      const reading = fresh || sourcesChanged || !netRead;
      const netChanged = reading ? await readNet(run) : false;
      if (reading) {
        readSign = sign;
        readAt = t;
      }
      if (fresh) settleUntil = t + ADDR_SETTLE_MS;
      if (
        fresh ||
        unwatched ||
        netChanged ||
        leased ||
        t < settleUntil ||
        t - addrAt >= ADDR_MAX_AGE_MS ||
        t < addrAt
      ) {
        addrAt = t;
        addr = (deps.interfaces()[deps.iface] ?? []).find((a) => a.family === "IPv4");
      }
      return { net, addr };
    },
    close() {
      for (const c of [...(watches?.sources ?? []), ...(watches?.leases ?? [])]) c.close();
      watches = null;
    },
  };
}
