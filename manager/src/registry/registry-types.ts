import type { Logger } from "pino";
import type { FullThresholds } from "@bbb/shared";
import type { ProblemsChangeEvent, StateChangeEvent } from "../service/events.js";
import type { HealthSink } from "./health-watch.js";

/** How urgently a host view must go out: a state change at once, attributes coalesced. */
export type ChangeLevel = "state" | "attr" | "volatile";

/** Where the registry reports what changed (publisher, event bus, history). Called synchronously. */
export interface RegistrySink {
  hostChanged(id: string, level: ChangeLevel): void;
  hostRemoved(id: string): void;
  nodeChanged(hostname: string): void;
  /** `record` is false while the board is flapping: the change is not written to history. */
  stateChanged(e: StateChangeEvent, record: boolean): void;
  flappingChanged(id: string, hostname: string | null, flapping: boolean, suppressed: number): void;
  /** The problems of a board changed while its state did not (IOC health, docs/epics.md). */
  problemsChanged?(e: ProblemsChangeEvent): void;
  /** A legacy board moved to a new id, or merged into the board of our agent (docs/legacy-protocols.md). */
  boardRekeyed?(from: string, to: string, why: "moved" | "merged"): void;
}

export interface RegistryDeps {
  log: Logger;
  now: () => number;
  sink: RegistrySink;
  heartbeatMs: number;
  rebootGraceMs: number;
  flap: { maxChanges: number; windowMs: number };
  /** How long a duplicate-connection problem stays after the broker's last report. */
  duplicateHoldMs?: number;
  /** A live heartbeat whose board clock differs from receive time by more than this is flagged. */
  maxClockSkewMs?: number;
  /** Alarm thresholds of the fleet and where alarms and unexpected reboots are reported (docs/protocol.md §"Alarms"). */
  health?: { fleet: () => FullThresholds; sink: HealthSink };
}

/** Default clock-skew tolerance: NTP-less boards drift by seconds, a wrong clock is minutes off. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 60_000;
