import type { AgentKind, Heartbeat } from "@bbb/shared";
import type { BoardRecord } from "./board-record.js";
import type { ConflictIndex } from "./conflict-index.js";
import type { NodeTable } from "./node-table.js";
import type { RegistrySink } from "./registry-types.js";

export interface RecordMovesDeps {
  records: Map<string, BoardRecord>;
  conflicts: ConflictIndex;
  nodeTable: NodeTable;
  /** Per-board side tables of the registry, keyed by board id. */
  sideMaps: readonly Map<string, unknown>[];
  sink: RegistrySink;
  now: () => number;
  getOrCreate(id: string, t: number): BoardRecord;
  evaluate(rec: BoardRecord, t: number, reason: string, minLevel?: "attr" | "volatile"): void;
}

const keysOf = (ip: string, hostname: string) => [`h:${hostname.toLowerCase()}`, `i:${ip}`];

/**
 * Records leaving the registry or changing id: forget, and for boards a legacy bridge speaks
 * for (docs/legacy-protocols.md "Registry") their kind and beat period, a move to a new id when
 * the board re-keys itself, and the merge into the board of our agent once it shows up on the
 * same IP or hostname.
 */
export function createRecordMoves(d: RecordMovesDeps) {
  const legacyIds = new Set<string>();
  // Legacy keys merged into a board of our agent: their beats stay out while that board is known.
  const mergedInto = new Map<string, string>();

  function reevaluate(ids: Iterable<string>, t: number): void {
    for (const o of ids) {
      const other = d.records.get(o);
      if (other && other.state !== null) d.evaluate(other, t, "conflict", "volatile");
    }
  }

  function unlink(rec: BoardRecord, t: number): void {
    d.nodeTable.attach(rec, null);
    const touched = d.conflicts.set(rec.id, rec.indexed, []);
    rec.indexed = [];
    d.records.delete(rec.id);
    for (const m of d.sideMaps) m.delete(rec.id);
    legacyIds.delete(rec.id);
    d.sink.hostRemoved(rec.id);
    reevaluate(touched, t);
  }

  function merge(legacy: BoardRecord, into: string, t: number): void {
    const hb = legacy.live.heartbeat;
    if (hb) for (const k of keysOf(hb.ip, hb.hostname)) mergedInto.set(k, into);
    unlink(legacy, t);
    d.sink.boardRekeyed?.(legacy.id, into, "merged");
  }

  const legacy = {
    /** A bridge speaks for this id: the record learns its kind and its beat period (lost after 3). */
    adopt(id: string, agent: Exclude<AgentKind, "bbb-agent">, periodMs: number): void {
      const rec = d.getOrCreate(id, d.now());
      rec.agent = agent;
      rec.live.periodMs = periodMs;
      legacyIds.add(id);
    },

    /** The board of our agent that holds this IP or hostname (alive, or merged earlier), if any. */
    holder(ip: string, hostname: string): string | null {
      for (const k of keysOf(ip, hostname)) {
        for (const id of d.conflicts.holders(k) ?? []) if (d.records.get(id)?.agent === "bbb-agent") return id;
        const m = mergedInto.get(k);
        if (m !== undefined && d.records.get(m)?.agent === "bbb-agent") return m;
      }
      return null;
    },

    /** A legacy board re-keyed itself (new IP): same record, state and history under the new id. */
    rekey(from: string, to: string): boolean {
      const rec = d.records.get(from);
      if (!rec || from === to || d.records.has(to) || !legacyIds.has(from)) return false;
      const t = d.now();
      const saved = { ...rec };
      unlink(rec, t);
      const moved = d.getOrCreate(to, t);
      Object.assign(moved, saved, { id: to, indexed: [], nodeHost: null });
      legacyIds.add(to);
      d.sink.boardRekeyed?.(from, to, "moved");
      d.evaluate(moved, t, "moved");
      return true;
    },

    /** Retires a legacy record into the board of our agent now holding its IP or hostname. */
    mergeInto(legacyId: string, into: string): boolean {
      const rec = d.records.get(legacyId);
      if (!rec || !legacyIds.has(legacyId)) return false;
      merge(rec, into, d.now());
      return true;
    },

    /** A beat of our agent with a new hostname / IP: legacy boards it now speaks for merge into it. */
    absorb(rec: BoardRecord, hb: Heartbeat): void {
      if (legacyIds.size === 0 || rec.agent !== "bbb-agent") return;
      const host = hb.hostname.toLowerCase();
      const t = d.now();
      for (const id of [...legacyIds]) {
        const ohb = d.records.get(id)?.live.heartbeat;
        const other = d.records.get(id);
        if (other && ohb && (ohb.ip === hb.ip || ohb.hostname.toLowerCase() === host)) merge(other, rec.id, t);
      }
    },

    isLegacy: (id: string) => legacyIds.has(id),
  };

  return {
    reevaluate,
    unlink,
    legacy,
    forget: (id: string): boolean => {
      const rec = d.records.get(id);
      if (!rec || rec.alive) return false;
      unlink(rec, d.now());
      return true;
    },
  };
}
export type LegacyOps = ReturnType<typeof createRecordMoves>["legacy"];
