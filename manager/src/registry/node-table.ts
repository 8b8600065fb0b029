import type { Node } from "@bbb/shared";
import type { BoardRecord } from "./board-record.js";

/**
 * The registered nodes and which live boards they are matched with: a node's bound board id
 * wins, else an unbound node matches boards that report its hostname.
 */
export function createNodeTable(onNodeChanged: (hostname: string) => void) {
  const nodes = new Map<string, Node>();
  const boundNode = new Map<string, string>();
  const matches = new Map<string, Set<string>>();
  /** Manual IP -> hostnames of the nodes registered with it. */
  const byIp = new Map<string, string[]>();
  const ipOf = (n: Node | undefined) => (n?.ip.mode === "manual" ? n.ip.ip : null);

  return {
    nodes: nodes as ReadonlyMap<string, Node>,

    /** The node a board belongs to, or null. */
    match(rec: BoardRecord): string | null {
      const bound = boundNode.get(rec.id);
      if (bound !== undefined) return bound;
      const hb = rec.live.heartbeat;
      if (!hb) return null;
      const n = nodes.get(hb.hostname);
      return n && n.boardId === null ? n.hostname : null;
    },

    /** Records that a board is now matched with `host` (or none), telling both nodes. */
    attach(rec: BoardRecord, host: string | null): void {
      if (rec.nodeHost === host) return;
      if (rec.nodeHost !== null) {
        matches.get(rec.nodeHost)?.delete(rec.id);
        onNodeChanged(rec.nodeHost);
      }
      rec.nodeHost = host;
      if (host !== null) {
        let s = matches.get(host);
        if (!s) matches.set(host, (s = new Set()));
        s.add(rec.id);
        onNodeChanged(host);
      }
    },

    /** Hostnames of the nodes registered with a manual IP. */
    nodesWithIp: (ip: string): readonly string[] => byIp.get(ip) ?? [],

    /** Replaces the table; answers the hostnames, bound board ids and IPs an edit concerns. */
    replace(list: readonly Node[]): { changed: Set<string>; ids: Set<string>; ips: Set<string> } {
      const before = new Map(nodes);
      nodes.clear();
      boundNode.clear();
      byIp.clear();
      for (const n of list) {
        nodes.set(n.hostname, n);
        if (n.boardId !== null) boundNode.set(n.boardId, n.hostname);
        const ip = ipOf(n);
        if (ip !== null) byIp.set(ip, [...(byIp.get(ip) ?? []), n.hostname]);
      }
      const changed = new Set<string>();
      const ids = new Set<string>();
      const ips = new Set<string>();
      const mark = (n: Node) => {
        changed.add(n.hostname);
        if (n.boardId !== null) ids.add(n.boardId);
        for (const ip of [ipOf(n), ipOf(before.get(n.hostname)), ipOf(nodes.get(n.hostname))]) if (ip !== null) ips.add(ip);
      };
      for (const [h, n] of before) {
        const cur = nodes.get(h);
        if (!cur || JSON.stringify(cur) !== JSON.stringify(n)) mark(n);
      }
      for (const [h, n] of nodes) if (!before.has(h) || changed.has(h)) mark(n);
      return { changed, ids, ips };
    },

    /** The board a node is matched with: its bound board, else the live one reporting its hostname. */
    boardOf(hostname: string, records: ReadonlyMap<string, BoardRecord>): BoardRecord | null {
      const n = nodes.get(hostname);
      if (!n) return null;
      if (n.boardId !== null) return records.get(n.boardId) ?? null;
      const ids = matches.get(hostname);
      if (!ids || ids.size === 0) return null;
      let pick: BoardRecord | null = null;
      for (const id of ids) {
        const r = records.get(id);
        if (r && (pick === null || (r.alive && !pick.alive))) pick = r;
      }
      return pick;
    },
  };
}
export type NodeTable = ReturnType<typeof createNodeTable>;
