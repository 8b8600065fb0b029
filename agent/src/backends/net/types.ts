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

/** Undoes a change: restores what a snapshot saw. */
export type Restore = (run: Runner) => Promise<void>;

export type NetBackendKind = "connman" | "networkd" | "ifupdown" | "ip";

/**
 * One way of configuring eth0 on a board.
 * Chosen at run time from what the root prefix contains (backends/net/detect.ts).
 */
export interface NetBackend {
  readonly kind: NetBackendKind;
  read(run: Runner): Promise<NetState>;
  setIp(cfg: IpConfig, run: Runner): Promise<void>;
  setNameservers(servers: readonly string[], run: Runner): Promise<void>;
  /** Captures the current configuration; the returned function puts it back. */
  snapshot(run: Runner): Promise<Restore>;
}
