import {
  DEFAULT_THRESHOLDS,
  LOST_AFTER_PERIODS,
  buildSectorIndex,
  evaluateBoard,
  isFlapping,
  lostDeadline,
  NETWORK_CHANGE_QUIET_MS,
  type BoardState,
  type BoardType,
  type Heartbeat,
  type HostView,
  type Inventory,
  type Node,
  type NodeView,
  type Problem,
  type Sector,
  type Status,
} from "@bbb/shared";
import { boardExtraProblems } from "./extra-problems.js";
import { DEFAULT_MAX_CLOCK_SKEW_MS, type RegistryDeps } from "./registry-types.js";
import { createNodeTable } from "./node-table.js";
import { toHostView, toNodeView } from "./views.js";
import {
  attrKeyOf,
  conflictKeys,
  expectedOf,
  failedServices,
  newRecord,
  significantKey,
  type BoardRecord,
} from "./board-record.js";
import { createConflictIndex } from "./conflict-index.js";
import { createRecordMoves } from "./record-moves.js";
import { createIocIntake, problemsChangeEvent } from "./ioc-registry.js";
import { createHealthWatch } from "./health-watch.js";
import { createStateChanger } from "./state-change.js";
import { mergeHeartbeat } from "./heartbeat-merge.js";
import { createRestore } from "./restore-known.js";

/**
 * The live registry (docs/protocol.md §"Registry states"): boards fed by status and heartbeat messages,
 * matched with nodes, evaluated with the shared pure function, with conflicts, flapping and
 * reboot grace on top. Heartbeats that change nothing significant cost a string compare.
 */
export function createRegistry(deps: RegistryDeps) {
  const { sink, now } = deps;
  const log = deps.log.child({ module: "registry" });
  const records = new Map<string, BoardRecord>();
  const attrKeys = new Map<string, string>();
  // Board clock minus receive time of the last live beat, for boards beyond the tolerance only.
  const skews = new Map<string, number>();
  // Inventories by board id: a retained one may arrive before the board's status (docs/protocol.md §"Inventory").
  const inventories = new Map<string, Inventory>();
  const maxSkew = deps.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  const nodeTable = createNodeTable((host) => sink.nodeChanged(host));
  const nodes = nodeTable.nodes;
  const types = new Map<string, BoardType>();
  let sectors: Sector[] = [];
  let sectorIndex = buildSectorIndex([]);
  const conflicts = createConflictIndex();
  const previous = new Map<string, { state: BoardState; stateSince: number }>();
  const otherDeadline = new Map<string, number>();
  let minDeadline = Infinity;
  let linkUp = true;
  const dupHold = deps.duplicateHoldMs ?? 60_000;
  const periodMs = deps.heartbeatMs;
  const health = createHealthWatch({
    fleet: deps.health?.fleet ?? (() => DEFAULT_THRESHOLDS),
    typeOf: (name) => types.get(name),
    sink: deps.health?.sink ?? { alarmChanged: () => {}, unexpectedReboot: () => {} },
  });

  const nodeSector = (node: Node | undefined): string | null =>
    node ? (node.sector ?? (node.ip.mode === "manual" ? sectorIndex.sectorOf(node.ip.ip) : null)) : null;

  const extraProblems = (rec: BoardRecord, t: number): Problem[] =>
    boardExtraProblems(rec, t, { flap: deps.flap, skew: skews.get(rec.id), types, nodesWithIp: nodeTable.nodesWithIp });

  function scheduleDeadline(rec: BoardRecord, t: number): void {
    let d = Infinity;
    const rb = rec.live.reboot;
    if (rb && t < rb.until) d = Math.min(d, rb.until);
    if (rec.duplicateUntil > t) d = Math.min(d, rec.duplicateUntil);
    if (rec.flapping && rec.changes.length > 0) d = Math.min(d, (rec.changes[0] ?? t) + deps.flap.windowMs + 1);
    otherDeadline.set(rec.id, d);
    const ld = rec.alive ? lostDeadline(rec.live) : null;
    if (ld !== null) d = Math.min(d, ld + 1);
    rec.deadline = d === Infinity ? null : d;
    if (d < minDeadline) minDeadline = d;
  }

  const onStateChange = createStateChanger({ flap: deps.flap, sink, previous });

  /** Recomputes a board's state and problems and reports what changed. */
  function evaluate(rec: BoardRecord, t: number, reason: string, minLevel: "attr" | "volatile" = "attr"): void {
    const hostBefore = rec.nodeHost;
    nodeTable.attach(rec, nodeTable.match(rec));
    const node = rec.nodeHost !== null ? nodes.get(rec.nodeHost) : undefined;
    const expected = node ? expectedOf(node, types.get(node.type)) : null;
    const ev = evaluateBoard(expected, rec.live, t);
    // A board that did not come back from a reboot is `lost` (reason reboot-timeout), even if it
    // said `offline` on its way down (docs/protocol.md §"Registry states").
    if (ev.state === "offline" && ev.problems.some((p) => p.code === "reboot-timeout")) ev.state = "lost";
    const rb = rec.live.reboot;
    if (rb && ev.alive && ev.state !== "rebooting") rec.live.reboot = null;
    if (!ev.alive) rec.restoredUntil = null;
    rec.alive = ev.alive;
    const hb = rec.live.heartbeat;
    const keys = ev.alive && hb ? conflictKeys(hb, rec) : [];
    if (keys.join("\n") !== rec.indexed.join("\n")) {
      const touched = conflicts.set(rec.id, rec.indexed, keys);
      rec.indexed = keys;
      moves.reevaluate(touched, t);
    }
    rec.sector = (hb ? sectorIndex.sectorOf(hb.ip) : null) ?? nodeSector(node);
    const stateChanged = ev.state !== rec.state;
    if (stateChanged) {
      const why = ev.problems.some((p) => p.code === "reboot-timeout") ? "reboot-timeout" : reason;
      rec.problems = [...ev.problems, ...conflicts.problems(rec.id, keys), ...extraProblems(rec, t)];
      onStateChange(rec, ev.state, t, why);
    }
    const problems = [...ev.problems, ...conflicts.problems(rec.id, keys), ...extraProblems(rec, t)];
    const key = JSON.stringify(problems);
    const problemsChanged = key !== rec.problemsKey;
    rec.problems = problems;
    rec.problemsKey = key;
    scheduleDeadline(rec, t);
    const attr = problemsChanged || minLevel === "attr" || hostBefore !== rec.nodeHost;
    sink.hostChanged(rec.id, stateChanged ? "state" : attr ? "attr" : "volatile");
    if (problemsChanged && !stateChanged && rec.state !== null) sink.problemsChanged?.(problemsChangeEvent(rec, ev.state, t));
    if ((stateChanged || problemsChanged) && rec.nodeHost !== null) sink.nodeChanged(rec.nodeHost);
  }

  function getOrCreate(id: string, t: number): BoardRecord {
    let rec = records.get(id);
    if (!rec) {
      records.set(id, (rec = newRecord(id, t, periodMs)));
      rec.live.inventory = inventories.get(id) ?? null;
    }
    return rec;
  }

  const restore = createRestore({ records, previous, getOrCreate, now });

  const moves = createRecordMoves({
    records,
    conflicts,
    nodeTable,
    sideMaps: [attrKeys, skews, otherDeadline, inventories],
    sink,
    now,
    getOrCreate,
    evaluate,
  });

  function reevaluateAll(reason: string): void {
    const t = now();
    for (const rec of records.values()) if (rec.state !== null) evaluate(rec, t, reason, "volatile");
  }

  return {
    records: records as ReadonlyMap<string, BoardRecord>,
    nodes,
    types: types as ReadonlyMap<string, BoardType>,
    sectors: (): readonly Sector[] => sectors,
    legacy: moves.legacy,

    applyStatus(id: string, st: Status, retained: boolean): void {
      const t = now();
      const rec = getOrCreate(id, t);
      const live = rec.live;
      if (st.state === "online") {
        if (st.session !== live.session) rec.sigKey = "";
        restore.backAfterRestart(rec);
        live.session = st.session;
        live.status = "online";
        live.lastSeen = t;
        evaluate(rec, t, "birth");
        return;
      }
      // docs/protocol.md §"Topic tree": a lost/offline of another session (a late will) is ignored.
      if (live.session !== null && st.session !== live.session) {
        log.debug(
          { boardId: id, session: st.session, current: live.session, state: st.state },
          "status of an old session ignored",
        );
        return;
      }
      live.session = st.session;
      live.status = st.state;
      evaluate(rec, t, retained ? "restored" : st.state === "lost" ? "will" : "offline");
    },

    applyHeartbeat(id: string, hb: Heartbeat, retained: boolean): void {
      const t = now();
      const rec = getOrCreate(id, t);
      const live = rec.live;
      const prev = live.heartbeat;
      if (live.session !== hb.session) {
        if (retained && live.status === null) {
          // Start-up: the retained beat may come before the retained status; wait for it.
          live.session = hb.session;
          live.heartbeat = mergeHeartbeat(prev, hb);
          rec.failedServices = failedServices(hb);
          return;
        }
        // A beat of a new session is a birth even if the birth itself was not seen.
        live.session = hb.session;
        live.status = "online";
      } else if (live.status !== "online") {
        // A late beat of a session that already ended shows data, not life.
        live.heartbeat = mergeHeartbeat(prev, hb);
        if (live.status === null) return;
        rec.failedServices = failedServices(hb);
        evaluate(rec, t, "heartbeat");
        return;
      }
      if (!retained) restore.backAfterRestart(rec);
      // What the health watch compares with, read before the stored beat is updated in place.
      const before = prev ? { uptime: prev.uptime, timeSync: prev.timeSync } : null;
      live.heartbeat = mergeHeartbeat(prev, hb);
      live.lastSeen = t;
      // Only a live beat says anything about the board's clock (a retained one is old by nature).
      let skewChanged = false;
      if (!retained) {
        const skew = hb.ts - t;
        const was = skews.has(id);
        if (Math.abs(skew) > maxSkew) skews.set(id, skew);
        else skews.delete(id);
        skewChanged = was !== skews.has(id);
        if (health.beat(rec, before, hb, t)) skewChanged = true;
      }
      const failed = rec.failedServices.length > 0 || hb.services ? failedServices(hb) : rec.failedServices;
      const key = significantKey(hb, failed);
      if (key !== rec.sigKey || skewChanged || !rec.alive || rec.state === null) {
        if (key !== rec.sigKey) moves.legacy.absorb(rec, hb);
        rec.sigKey = key;
        rec.failedServices = failed;
        attrKeys.set(id, attrKeyOf(hb));
        evaluate(rec, t, "heartbeat");
        return;
      }
      const d = Math.min(otherDeadline.get(id) ?? Infinity, t + LOST_AFTER_PERIODS * (live.periodMs ?? periodMs) + 1);
      rec.deadline = d;
      const ak = attrKeyOf(hb);
      if (ak !== attrKeys.get(id)) {
        attrKeys.set(id, ak);
        sink.hostChanged(id, "attr");
      } else sink.hostChanged(id, "volatile");
    },

    /** A board's inventory (docs/protocol.md §"Inventory"): compared with its type's expectations. */
    applyInventory(id: string, inv: Inventory): void {
      inventories.set(id, inv);
      // Kept aside until the board itself shows up: an inventory alone makes no board.
      const rec = records.get(id);
      if (!rec) return;
      rec.live.inventory = inv;
      if (rec.state !== null) evaluate(rec, now(), "inventory");
    },

    /** Unexpected reboots recorded before a restart (from history), so the counts carry over. */
    seedReboots(counts: ReadonlyMap<string, { total: number; recent: number[]; lastAt: number | null }>): void {
      const t = now();
      for (const [id, c] of counts)
        getOrCreate(id, t).reboots = { total: c.total, recent: [...c.recent], lastAt: c.lastAt };
    },

    ...createIocIntake({ records, now, evaluate }),

    restoreKnown: restore.restoreKnown,

    /** A host view retained by a previous run of the manager (start-up only). */
    applyPreviousView(view: HostView): void {
      if (!records.get(view.id)?.state) previous.set(view.id, { state: view.state, stateSince: view.stateSince });
    },

    /** End of start-up: records still waiting for a status are evaluated; ghost views returned. */
    settle(): string[] {
      const t = now();
      for (const rec of records.values()) if (rec.state === null) evaluate(rec, t, "restored");
      const ghosts = [...previous.keys()].filter((id) => !records.has(id));
      previous.clear();
      return ghosts;
    },

    /** A reboot / apply-node was accepted: `rebooting` for the grace period (docs/protocol.md §"Commands and results"). */
    markRebooting(id: string, graceMs: number = deps.rebootGraceMs): void {
      const rec = records.get(id);
      if (!rec) return;
      const t = now();
      rec.live.reboot = { since: t, until: t + graceMs, session: rec.live.session };
      evaluate(rec, t, "reboot");
    },

    /**
     * set-ip / apply-node accepted: the agent disconnects cleanly (no will) and reconnects on its
     * new address, so heartbeats pause; silence is not `lost` until the confirm window ends.
     */
    markNetworkChange(id: string, active: boolean): void {
      const rec = records.get(id);
      if (!rec) return;
      const t = now();
      rec.live.quietUntil = active ? t + NETWORK_CHANGE_QUIET_MS : null;
      evaluate(rec, t, "network-change");
    },

    markDuplicate(id: string): void {
      const rec = records.get(id);
      if (!rec) return;
      const t = now();
      rec.duplicateUntil = t + dupHold;
      evaluate(rec, t, "duplicate-connection");
    },

    setLinkUp(up: boolean): void {
      if (linkUp === up) return;
      linkUp = up;
      if (up) restore.linkResumed(scheduleDeadline);
    },

    /** Time-driven changes: lost after 3 silent periods, reboot timeout, flags expiring. */
    sweep(): void {
      const t = now();
      if (!linkUp || t < minDeadline) return;
      minDeadline = Infinity;
      for (const rec of records.values()) {
        if (rec.deadline === null) continue;
        if (rec.deadline <= t) {
          const wasFlapping = rec.flapping;
          if (rec.flapping && !isFlapping(rec.changes, t, deps.flap)) rec.flapping = false;
          if (wasFlapping && !rec.flapping) {
            sink.flappingChanged(rec.id, rec.live.heartbeat?.hostname ?? rec.nodeHost, false, rec.suppressed);
            rec.suppressed = 0;
          }
          const why = rec.restoredUntil !== null ? "not-reconnected" : "heartbeat-timeout";
          evaluate(rec, t, rec.alive ? why : "timer", "volatile");
        } else if (rec.deadline < minDeadline) minDeadline = rec.deadline;
      }
    },

    /** Forgets a board that is not alive; false if it is alive or unknown. */
    forget: moves.forget,

    /**
     * Replaces the node table. Only boards a changed node can concern are re-evaluated (its
     * matched board, its bound board ids, boards reporting its hostname): an import of many
     * single-node edits stays linear.
     */
    setNodes(list: readonly Node[]): void {
      const { changed, ids, ips } = nodeTable.replace(list);
      if (changed.size === 0) return;
      const t = now();
      for (const rec of records.values()) {
        if (rec.state === null) continue;
        const hb = rec.live.heartbeat;
        if ((rec.nodeHost !== null && changed.has(rec.nodeHost)) || ids.has(rec.id) || (hb && (changed.has(hb.hostname) || ips.has(hb.ip)))) {
          evaluate(rec, t, "registry-edit", "volatile");
        }
      }
    },
    setTypes(list: readonly BoardType[]): void {
      types.clear();
      for (const ty of list) types.set(ty.name, ty);
      reevaluateAll("registry-edit");
    },
    setSectors(list: readonly Sector[]): void {
      sectors = [...list];
      sectorIndex = buildSectorIndex(sectors);
      reevaluateAll("registry-edit");
    },
    sectorOfIp: (ip: string) => sectorIndex.sectorOf(ip),

    /** The board a node is matched with: its bound board, else a board reporting its hostname. */
    boardOfNode: (hostname: string): BoardRecord | null => nodeTable.boardOf(hostname, records),

    hostView: (rec: BoardRecord): HostView =>
      toHostView(rec, rec.nodeHost !== null ? (nodes.get(rec.nodeHost) ?? null) : null, now()),

    nodeView(hostname: string): NodeView | null {
      const node = nodes.get(hostname);
      return node ? toNodeView(node, nodeTable.boardOf(hostname, records)) : null;
    },
    nodeSectorOf: (node: Node) => nodeSector(node),
  };
}
export type Registry = ReturnType<typeof createRegistry>;
