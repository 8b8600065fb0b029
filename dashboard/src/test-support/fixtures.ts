import type { BoardState, Heartbeat, HostView, Node, NodeView } from "@bbb/shared";

/** A valid host view (hostViewSchema) for tests; override what the test is about. */
export function hostView(id: string, o: Partial<HostView> & { hb?: Partial<Heartbeat> } = {}): HostView {
  const { hb, ...rest } = o;
  const n = Number.parseInt(id.replace(/\D/g, "").slice(-3) || "1", 10) % 250;
  return {
    v: 1,
    id,
    state: "online",
    stateSince: 1_000,
    lastSeen: 2_000,
    problems: [],
    flapping: false,
    sector: "3",
    session: "s1",
    node: null,
    heartbeat: {
      v: 1, id, session: "s1", seq: 1, ts: 2_000, hostname: `BO-Srv-${n}`, ip: `10.128.30.${n + 1}`, type: "mbtemp", uptime: 100,
      load1: 0.5, tempC: 45, agentVersion: "1.0.0", projectRevision: "abc123", ipMode: "manual", ...hb,
    },
    ...rest,
    agent: rest.agent ?? "bbb-agent",
  };
}

export function nodeView(hostname: string, state: BoardState = "missing", o: Partial<Node> = {}): NodeView {
  return {
    v: 1,
    node: { hostname, ip: { mode: "dhcp" }, nameservers: [], type: "mbtemp", sector: "5", pvPrefixes: [], boardId: null, notes: "", spare: false, ...o },
    boardId: o.boardId ?? null,
    state,
  };
}

export const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
