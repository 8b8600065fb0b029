import { conflict, notFound } from "../errors.js";
import type { ServiceDeps } from "./methods/deps.js";

export type ForgetDeps = Pick<ServiceDeps, "registry" | "store" | "now" | "clearBoardTopics">;

/**
 * Forgets a board that is not alive (docs/protocol.md, hosts.remove): its retained status and
 * heartbeat are cleared, it leaves the registry (its host view is cleared), and a history entry
 * says who did it; its earlier history stays. A board still alive is refused (MGR_E_CONFLICT).
 */
export function forgetBoard(d: ForgetDeps, id: string, who: { by: string; via: string; why?: string }): boolean {
  const rec = d.registry.records.get(id);
  if (!rec) throw notFound(`board ${id}`);
  if (rec.alive) throw conflict(`board ${id} is alive; only a dead board can be removed`);
  d.clearBoardTopics(id);
  const removed = d.registry.forget(id);
  d.store.record({
    ts: d.now(),
    kind: "registry",
    boardId: id,
    hostname: null,
    by: who.by,
    message: `board ${id} removed${who.why ? ` (${who.why})` : ""}`,
    data: { via: who.via },
  });
  return removed;
}

/**
 * Boards `lost` for at least `afterMs` (config forgetLostAfterHours), forgotten as hosts.remove
 * does; returns their ids. Boards that are `offline` (stopped cleanly) are kept: someone stopped them.
 */
export function expireLostBoards(d: ForgetDeps, afterMs: number): string[] {
  const t = d.now();
  const due: string[] = [];
  for (const rec of d.registry.records.values())
    if (rec.state === "lost" && !rec.alive && t - rec.stateSince >= afterMs) due.push(rec.id);
  const hours = Math.round((afterMs / 3_600_000) * 100) / 100;
  return due.filter((id) => forgetBoard(d, id, { by: "system", via: "internal", why: `lost for over ${hours} h` }));
}
