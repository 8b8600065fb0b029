import type { BoardState, IocsPayload } from "@bbb/shared";
import type { ProblemsChangeEvent } from "../service/events.js";
import type { BoardRecord } from "./board-record.js";
import type { ChangeLevel } from "./registry-types.js";

/**
 * IOC reports into the registry (docs/epics.md): kept on the board's record, judged while their
 * session is the board's (a report of an earlier session stays for display only).
 */
export function createIocIntake(d: {
  records: ReadonlyMap<string, BoardRecord>;
  now: () => number;
  evaluate: (rec: BoardRecord, t: number, reason: string, minLevel?: Exclude<ChangeLevel, "state">) => void;
}) {
  return {
    applyIocs(id: string, iocs: IocsPayload): void {
      // A report comes after its board's status (retained ones too: statuses are subscribed
      // first), so one for a board the registry does not know is left over, not a board.
      const rec = d.records.get(id);
      if (!rec) return;
      rec.iocs = iocs;
      if (rec.state !== null) d.evaluate(rec, d.now(), "iocs", "volatile");
    },
  };
}

/** A board's problems changed while its state stayed (docs/epics.md §"Problems and webhooks"). */
export function problemsChangeEvent(rec: BoardRecord, state: BoardState, ts: number): ProblemsChangeEvent {
  const hb = rec.live.heartbeat;
  return { kind: "problems-change", boardId: rec.id, hostname: hb?.hostname ?? rec.nodeHost, sector: rec.sector, type: hb?.type ?? null, state, problems: rec.problems, ts };
}
