import { boardlessState, type HostView, type Node, type NodeView } from "@bbb/shared";
import type { BoardRecord } from "./board-record.js";
import { rebootCounts } from "./health-watch.js";

/** The retained `registry/hosts/<id>` payload of a board. */
export function toHostView(rec: BoardRecord, node: Node | null, t: number): HostView {
  const view: HostView = {
    v: 1,
    id: rec.id,
    state: rec.state ?? "lost",
    stateSince: Math.round(rec.stateSince),
    lastSeen: rec.live.lastSeen === null ? null : Math.round(rec.live.lastSeen),
    at: Math.round(t),
    problems: rec.problems,
    flapping: rec.flapping,
    sector: rec.sector,
    session: rec.live.session,
    node,
    heartbeat: rec.live.heartbeat,
    agent: rec.agent,
    inventory: rec.live.inventory ?? null,
  };
  // Only boards that rebooted unexpectedly carry the counts (the view of most boards stays short).
  if (rec.reboots.total > 0) view.reboots = rebootCounts(rec, t);
  return view;
}

/** The retained `registry/nodes/<hostname>` payload: a node and the board matched with it. */
export function toNodeView(node: Node, board: BoardRecord | null): NodeView {
  return { v: 1, node, boardId: board?.id ?? node.boardId, state: board?.state ?? boardlessState(node) };
}
