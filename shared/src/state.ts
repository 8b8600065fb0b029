import {
  DEFAULT_FLAP_MAX_CHANGES,
  DEFAULT_FLAP_WINDOW_MS,
  DEFAULT_HEARTBEAT_MS,
  LOST_AFTER_PERIODS,
} from "./constants.js";
import { heartbeatPvPrefixes, type Heartbeat } from "./schemas/heartbeat.js";
import { inventoryValue, type Inventory } from "./schemas/inventory.js";
import type { BoardState, ExpectedInventory, Problem } from "./schemas/registry.js";

/** What is known live about one board id (the manager's in-memory record). */
export interface BoardLive {
  /** Last status message of the current session: online / offline / lost. */
  status: "online" | "offline" | "lost" | null;
  session: string | null;
  heartbeat: Heartbeat | null;
  /** Local receive time (manager clock) of the last heartbeat or birth. */
  lastSeen: number | null;
  /** Heartbeat period the board announced or the fleet default. */
  periodMs?: number;
  /** A reboot / apply-node accepted at `since`: the board may go silent until `until`. */
  reboot?: { since: number; until: number; session: string | null } | null;
  /**
   * A network change (set-ip) was accepted: the agent disconnects cleanly, applies it and
   * reconnects, so silence until then is expected and not a reason for `lost`.
   */
  quietUntil?: number | null;
  /** Last inventory the board published (docs/protocol.md §"Inventory"). */
  inventory?: Inventory | null;
}

/** What the registry expects of a board (its node, with the type's current project). */
export interface Expected {
  hostname: string;
  ip: string | null;
  type: string;
  pvPrefixes: string[];
  projectRevision?: string | null;
  rcLocalHash?: string | null;
  /** Inventory values the type declares (docs/protocol.md §"Inventory"). */
  inventory?: ExpectedInventory | null;
  /** The node is a spare slot: with no board it is `spare`, not `missing`. */
  spare?: boolean;
}

export interface Evaluation {
  state: BoardState;
  problems: Problem[];
  /** True while the board is considered alive (heartbeats within 3 periods, not stopped). */
  alive: boolean;
}

export function isAlive(board: BoardLive, now: number): boolean {
  if (board.status !== "online" || board.lastSeen === null) return false;
  const period = board.periodMs ?? DEFAULT_HEARTBEAT_MS;
  return now <= Math.max(board.lastSeen + LOST_AFTER_PERIODS * period, board.quietUntil ?? 0);
}

/** Fields of a live heartbeat that differ from the node. */
export function mismatches(expected: Expected, hb: Heartbeat): Problem[] {
  const out: Problem[] = [];
  const add = (field: string, exp: string, act: string) =>
    out.push({ code: "mismatch", field, expected: exp, actual: act, message: `${field} is ${act || "(none)"}, expected ${exp}` });
  if (hb.hostname !== expected.hostname) add("hostname", expected.hostname, hb.hostname);
  if (expected.ip !== null && hb.ip !== expected.ip) add("ip", expected.ip, hb.ip);
  if (hb.type !== expected.type) add("type", expected.type, hb.type);
  const pv = heartbeatPvPrefixes(hb);
  if (expected.pvPrefixes.length > 0 && [...pv].sort().join(",") !== [...expected.pvPrefixes].sort().join(",")) {
    add("pvPrefix", expected.pvPrefixes.join(","), pv.join(","));
  }
  if (expected.projectRevision && hb.projectRevision !== expected.projectRevision) {
    add("projectRevision", expected.projectRevision, hb.projectRevision ?? "");
  }
  if (expected.rcLocalHash && hb.rcLocalHash !== expected.rcLocalHash) {
    add("rcLocalHash", expected.rcLocalHash, hb.rcLocalHash ?? "");
  }
  return out;
}

/**
 * Inventory fields that differ from what the type expects; overlays: every expected one must be
 * applied (a board may load more). Nothing is compared before the board sent an inventory.
 */
export function inventoryMismatches(expected: ExpectedInventory | null | undefined, inv: Inventory | null | undefined): Problem[] {
  if (!expected || !inv) return [];
  const out: Problem[] = [];
  for (const field of ["kernel", "image", "debian", "node", "agent"] as const) {
    const exp = expected[field];
    const act = inventoryValue(inv, field);
    if (exp !== undefined && act !== exp)
      out.push({ code: "mismatch", field: `inventory.${field}`, expected: exp, actual: act, message: `${field} is ${act || "(none)"}, expected ${exp}` });
  }
  const want = expected.overlays ?? [];
  const missing = want.filter((o) => !inv.overlays.includes(o));
  if (missing.length > 0) {
    const act = inventoryValue(inv, "overlays");
    out.push({
      code: "mismatch",
      field: "inventory.overlays",
      expected: want.join(","),
      actual: act,
      message: `overlay ${missing.join(", ")} not applied (applied: ${act || "none"})`,
    });
  }
  return out;
}

/**
 * The state of a board: a pure function of (node, board, now) (docs/protocol.md §"Registry states").
 * `expected` is null when no node matches the board; `board` is null for a node with no board.
 */
export function evaluateBoard(expected: Expected | null, board: BoardLive | null, now: number): Evaluation {
  if (board === null) return { state: boardlessState(expected), problems: [], alive: false };
  const alive = isAlive(board, now);
  const reboot = board.reboot;
  if (reboot && now < reboot.until) {
    // Still in the grace period: rebooting until the board is back with a new session.
    const back = alive && board.session !== null && board.session !== reboot.session;
    if (!back) return { state: "rebooting", problems: [], alive };
  }
  if (!alive) {
    const problems: Problem[] = [];
    if (reboot && now >= reboot.until && board.session === reboot.session) {
      problems.push({ code: "reboot-timeout", message: "did not come back within the reboot grace period" });
    }
    // A board that did not come back from a reboot is lost, even if it said `offline` on the way down.
    if (board.status === "offline" && problems.length === 0) return { state: "offline", problems, alive };
    return { state: "lost", problems, alive };
  }
  const hb = board.heartbeat;
  if (expected === null) return { state: "unregistered", problems: [], alive };
  const problems = [...(hb ? mismatches(expected, hb) : []), ...inventoryMismatches(expected.inventory, board.inventory)];
  return { state: problems.length > 0 ? "misconfigured" : "online", problems, alive };
}

/**
 * The state of a node no board is matched with: `spare` for a spare slot (expected to be empty,
 * nothing to do), else `missing` (docs/protocol.md §"Registry states").
 */
export function boardlessState(node: { spare?: boolean } | null | undefined): "missing" | "spare" {
  return node?.spare === true ? "spare" : "missing";
}

/** When a live board turns lost if nothing more arrives (for the staleness sweep). */
export function lostDeadline(board: BoardLive): number | null {
  if (board.status !== "online" || board.lastSeen === null) return null;
  return Math.max(board.lastSeen + LOST_AFTER_PERIODS * (board.periodMs ?? DEFAULT_HEARTBEAT_MS), board.quietUntil ?? 0);
}

export interface FlapOptions {
  maxChanges?: number;
  windowMs?: number;
}

/** A board that changed state more than N times in the last M ms is flapping. */
export function isFlapping(changeTimes: readonly number[], now: number, opts: FlapOptions = {}): boolean {
  const max = opts.maxChanges ?? DEFAULT_FLAP_MAX_CHANGES;
  const windowMs = opts.windowMs ?? DEFAULT_FLAP_WINDOW_MS;
  let n = 0;
  for (const t of changeTimes) if (now - t <= windowMs) n++;
  return n > max;
}

/** Severity order used to sort and colour boards: worst first. */
export const STATE_SEVERITY: Readonly<Record<BoardState, number>> = {
  lost: 0,
  missing: 1,
  misconfigured: 2,
  rebooting: 3,
  unregistered: 4,
  offline: 5,
  online: 6,
  spare: 7,
};
