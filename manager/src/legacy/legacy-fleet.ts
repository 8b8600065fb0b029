import type { Logger } from "pino";
import type { Registry } from "../registry/create-registry.js";
import { legacyBoardId, legacyHeartbeat, type LegacyBoard } from "./legacy-board.js";

export interface LegacyFleetDeps {
  log: Logger;
  now: () => number;
  registry: () => Registry;
}

/**
 * The registry side of both bridges (docs/legacy-protocols.md "Registry"): each write or ping a
 * bridge sees is one beat of an ordinary board, keyed by IP, with the daemon's beat period; a
 * board whose IP or hostname our agent now holds is merged into it instead.
 */
export function createLegacyFleet(deps: LegacyFleetDeps) {
  const log = deps.log.child({ module: "legacy" });
  // One session per bridge run: a board seen again after `lost` keeps it (silence, not a restart);
  // a restart the bridge can tell (a reboot's effect, a ping counter reset) starts a new one.
  const base = `legacy${deps.now().toString(36)}`;
  const sessions = new Map<string, string>();
  const seqs = new Map<string, number>();
  const last = new Map<string, LegacyBoard>();
  let restarts = 0;

  function apply(reg: Registry, id: string, b: LegacyBoard): void {
    const session = sessions.get(id) ?? base;
    const t = deps.now();
    const live = reg.records.get(id)?.live;
    if (live?.session !== session || live.status !== "online")
      reg.applyStatus(id, { v: 1, state: "online", session, ts: t }, false);
    const seq = (seqs.get(id) ?? 0) + 1;
    seqs.set(id, seq);
    last.set(id, b);
    reg.applyHeartbeat(id, legacyHeartbeat(b, id, session, seq, t), false);
  }

  return {
    /** A beat of a legacy board; returns its board id, or null when our agent speaks for it now. */
    beat(b: LegacyBoard, periodMs: number): string | null {
      const reg = deps.registry();
      const id = legacyBoardId(b.ip);
      const holder = reg.legacy.holder(b.ip, b.hostname);
      if (holder !== null) {
        if (reg.legacy.mergeInto(id, holder))
          log.info({ boardId: id, into: holder }, "legacy board merged into its agent");
        return null;
      }
      const rec = reg.records.get(id);
      if (rec && rec.agent === "bbb-agent") return null;
      reg.legacy.adopt(id, b.agent, periodMs);
      apply(reg, id, b);
      return id;
    },

    /** The board re-keyed itself to a new IP: the same board moves (no new board, no lost one). */
    moved(fromIp: string, toIp: string): void {
      const from = legacyBoardId(fromIp);
      const to = legacyBoardId(toIp);
      const reg = deps.registry();
      // The new hash may have been seen first: the old record then joins it instead.
      if (reg.legacy.rekey(from, to) || reg.legacy.mergeInto(from, to)) {
        for (const m of [seqs, sessions, last] as Map<string, unknown>[]) {
          if (m.has(from) && !m.has(to)) m.set(to, m.get(from));
          m.delete(from);
        }
        log.info({ from, to }, "legacy board moved");
      }
    },

    /** The board started again (a new session: the registry ends its `rebooting`). */
    restarted(id: string): void {
      const b = last.get(id);
      sessions.set(id, `${base}r${(++restarts).toString(36)}`);
      if (b) apply(deps.registry(), id, b);
    },

    /** The bridge stops: its boards go silent and the registry's window declares them lost. */
    stop(): void {
      seqs.clear();
      sessions.clear();
      last.clear();
    },
  };
}
export type LegacyFleet = ReturnType<typeof createLegacyFleet>;
