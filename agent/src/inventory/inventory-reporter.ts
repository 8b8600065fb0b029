import type { Inventory } from "@bbb/shared";
import type { Logger } from "pino";
import { startPoll, type SharedIntervals } from "../system/shared-intervals.js";

export interface InventoryReporterDeps {
  read: () => Promise<Inventory>;
  /** Retained QoS 1 publish; resolves false when it could not be queued. */
  publish: (payload: string) => Promise<boolean>;
  intervalMs: number;
  /** The agent's shared timers (the poll ticks with the heartbeat); default: a timer of its own. */
  intervals?: SharedIntervals;
  log: Logger;
}

/** The inventory without its timestamp: what decides whether it changed. */
const contentKey = (inv: Inventory) => JSON.stringify({ ...inv, ts: 0 });

/**
 * Publishes the board's inventory at start and when a field changes, never per beat
 * (docs/protocol.md §"Inventory"): read every `intervalMs`, compared with what was last sent.
 */
export function createInventoryReporter(deps: InventoryReporterDeps) {
  const log = deps.log.child({ module: "inventory" });
  let sentKey: string | null = null;
  let stopPoll: (() => void) | null = null;
  let busy = false;

  const check = async (force: boolean): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const inv = await deps.read();
      const key = contentKey(inv);
      if (!force && key === sentKey) return;
      sentKey = key;
      if (!(await deps.publish(JSON.stringify(inv)))) sentKey = null;
    } catch (err: unknown) {
      log.warn({ err }, "inventory not read");
    } finally {
      busy = false;
    }
  };

  return {
    /** Reads and publishes when changed (`force`: publish anyway, e.g. after a reconnect). */
    check,
    start() {
      void check(false);
      stopPoll = startPoll(() => void check(false), deps.intervalMs, deps.intervals);
    },
    stop() {
      stopPoll?.();
      stopPoll = null;
    },
  };
}
