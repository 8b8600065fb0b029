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
   * A network change (commands/network-change.ts): the agent leaves the broker cleanly, `apply`
   * makes the change (pushing what undoes each step onto `restores`), then the agent must reach
   * the broker again within the confirm deadline, else `restores` run (newest first) and the
   * command fails with AGENT_E_REVERTED. A change that needs no new connection (the hostname)
   * does not go through here.
   */
  changeNetwork<T>(
    restores: Restore[],
    apply: (restores: Restore[]) => Promise<T>,
    ctx: { runner: CommandRunner; signal: AbortSignal },
  ): Promise<T>;
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
  /**
   * Publishes the final `succeeded` now (the transcript so far, `note` as its last line, `data`)
   * and resolves once the broker acknowledged it (or after a timeout) and it is stored: for an
   * action whose end the agent will not live to report (a reboot). Whatever `run` returns after
   * this is not published again; an error it throws still publishes `failed`.
   */
  succeedNow: (note: string, data?: Record<string, unknown>) => Promise<boolean>;
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
