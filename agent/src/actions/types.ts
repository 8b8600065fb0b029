import type { ActionArgs, ActionName } from "@bbb/shared";
import type { Logger } from "pino";
import type { HostnameBackend } from "../backends/hostname.js";
import type { LedBackend } from "../backends/leds.js";
import type { NetBackend, Restore } from "../backends/net/types.js";
import type { SystemdBackend } from "../backends/systemd.js";
import type { ResolvedAgentConfig } from "../config/schema.js";
import type { NodeSettingsStore } from "../state/node-settings.js";
import type { Clock } from "../system/clock.js";
import type { CommandRunner } from "../system/runner.js";
import type { ProjectSync } from "./project-sync.js";

/** What actions act on: the system backends and agent services, injected by create-agent. */
export interface ActionSystem {
  config: ResolvedAgentConfig;
  clock: Clock;
  log: Logger;
  session: string;
  net: NetBackend;
  hostname: HostnameBackend;
  systemd: SystemdBackend;
  leds: LedBackend;
  nodeSettings: NodeSettingsStore;
  projectSync?: ProjectSync;
  /**
   * After a network change: the agent must reach the broker again within the confirm deadline,
   * else `restores` run (newest first) and the command fails with AGENT_E_REVERTED.
   */
  confirmNetwork(restores: Restore[], ctx: { runner: CommandRunner; signal: AbortSignal }): Promise<void>;
  uptime(): Promise<number>;
}

export interface ActionContext<A extends ActionName> {
  id: string;
  args: ActionArgs<A>;
  runner: CommandRunner;
  signal: AbortSignal;
  sys: ActionSystem;
  /** Publishes a `running` result (rate-limited by the dispatcher). */
  progress: (progress: number, data?: Record<string, unknown>) => void;
  /** Resolves once the `accepted` result reached the broker (or after a timeout). */
  acceptedDelivered: () => Promise<boolean>;
}

export interface ActionOutcome {
  data?: Record<string, unknown>;
}

export interface ActionDef<A extends ActionName> {
  /** Checked before `accepted`: a message means `rejected`/AGENT_E_NOT_ALLOWED. */
  check?(args: ActionArgs<A>, sys: ActionSystem): string | null;
  run(ctx: ActionContext<A>): Promise<ActionOutcome>;
}

export type ActionMap = { [A in ActionName]: ActionDef<A> };
