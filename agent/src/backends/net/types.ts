import type { NetworkInterfaceInfo } from "node:os";
import type { IpConfig } from "@bbb/shared";
import type { Runner } from "../../system/runner.js";

/** The IPv4 configuration a backend holds for the interface (what the heartbeat reports). */
export interface NetState {
  mode: "dhcp" | "manual" | "unknown";
  ip?: string;
  netmask?: string;
  gateway?: string;
  nameservers: string[];
}

/** Live interface addresses: os.networkInterfaces or a simulator's own. */
export type InterfacesFn = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/** Undoes a change: restores what a snapshot saw. */
export type Restore = (run: Runner) => Promise<void>;

/**
 * What a backend's read() depends on, as system paths: `files` (their directory is watched for
 * their name) and `dirs` (any entry). `leaseDirs`: where the DHCP client writes a lease, not
 * read by read() but a sign that the live address may have changed (a hint: where it cannot be
 * watched, the address is re-read at the slow safety interval, heartbeat/net-facts.ts).
 */
export interface NetSources {
  files: string[];
  dirs: string[];
  leaseDirs: string[];
}

export type NetBackendKind = "connman" | "networkd" | "ifupdown" | "ip";

/**
 * One way of configuring eth0 on a board.
 * Chosen at run time from what the root prefix contains (backends/net/detect.ts).
 */
export interface NetBackend {
  readonly kind: NetBackendKind;
  /** Reads the configuration now (no cache). */
  read(run: Runner): Promise<NetState>;
  /**
   * The files read() reads, for a caller that re-reads only when one changed
   * (heartbeat/net-facts.ts). Absent or null: read() asks live state (nothing to watch), so
   * it is read at every poll, unless liveSign says otherwise.
   */
  sources?(): Promise<NetSources | null>;
  /**
   * For a backend whose read() asks live state with a process (`ip`): a sign of that state
   * taken without one. The same sign as at the last read means read() would answer the same but
   * for what the backend says the sign cannot see; heartbeat/net-facts.ts then reads it again
   * only every LIVE_MAX_AGE_MS. null: no sign to be had now (read at every poll).
   */
  liveSign?(): string | null;
  setIp(cfg: IpConfig, run: Runner): Promise<void>;
  setNameservers(servers: readonly string[], run: Runner): Promise<void>;
  /** Captures the current configuration; the returned function puts it back. */
  snapshot(run: Runner): Promise<Restore>;
}
