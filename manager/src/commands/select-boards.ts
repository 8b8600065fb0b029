import { boardlessState, STATE_SEVERITY, type BoardState, type HostFilter, type HostView } from "@bbb/shared";
import type { Registry } from "../registry/create-registry.js";

const asList = <T>(v: T | T[] | undefined): T[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

/** Whether a host view passes a filter (hosts.list and command targets use the same rules). */
export function createHostMatcher(f: HostFilter) {
  const states = asList(f.state);
  const sectors = asList(f.sector);
  const types = asList(f.type);
  const agents = asList(f.agent);
  const text = f.text?.toLowerCase();
  return (v: HostView): boolean => {
    if (states && !states.includes(v.state)) return false;
    if (sectors && !sectors.includes(v.sector ?? "")) return false;
    const type = v.heartbeat?.type ?? v.node?.type ?? "";
    if (types && !types.includes(type)) return false;
    if (f.flapping !== undefined && v.flapping !== f.flapping) return false;
    if (agents && !agents.includes(v.agent)) return false;
    if (f.rebootedMin !== undefined && (v.reboots?.last24h ?? 0) < f.rebootedMin) return false;
    if (f.problem !== undefined) {
      if (f.problem === "any" ? v.problems.length === 0 : !v.problems.some((p) => p.code === f.problem)) return false;
    }
    if (text) {
      const hb = v.heartbeat;
      const pv = hb?.pvPrefix === undefined ? "" : String(hb.pvPrefix);
      const hay = `${v.id} ${hb?.hostname ?? ""} ${hb?.ip ?? ""} ${type} ${pv} ${v.node?.hostname ?? ""} ${v.node?.pvPrefixes.join(" ") ?? ""}`;
      if (!hay.toLowerCase().includes(text)) return false;
    }
    return true;
  };
}

/** Host views of every board plus every node without a board (state `missing` or `spare`), worst first. */
export function allHostViews(reg: Registry, now: number): HostView[] {
  const out: HostView[] = [];
  for (const rec of reg.records.values()) if (rec.state !== null) out.push(reg.hostView(rec));
  for (const [hostname, node] of reg.nodes) {
    if (reg.boardOfNode(hostname) !== null) continue;
    out.push({
      v: 1,
      id: node.boardId ?? "",
      state: boardlessState(node),
      stateSince: now,
      lastSeen: null,
      problems: [],
      flapping: false,
      sector: reg.nodeSectorOf(node),
      session: null,
      node,
      heartbeat: null,
      agent: "bbb-agent",
    });
  }
  const sev = (s: BoardState) => STATE_SEVERITY[s];
  const name = (v: HostView) => v.node?.hostname ?? v.heartbeat?.hostname ?? v.id;
  out.sort((a, b) => sev(a.state) - sev(b.state) || name(a).localeCompare(name(b)));
  return out;
}

/** Board ids selected by a filter (only boards: a node with no board cannot take a command). */
export function selectBoardIds(reg: Registry, f: HostFilter): string[] {
  const match = createHostMatcher(f);
  const ids: string[] = [];
  for (const rec of reg.records.values()) {
    if (rec.state !== null && match(reg.hostView(rec))) ids.push(rec.id);
  }
  return ids.sort();
}
