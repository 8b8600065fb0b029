import type { HostView } from "@bbb/shared";

/**
 * Boards that can take a node's place (nodes.bind): alive, of the node's type, and either
 * unclaimed or the board of a spare node (docs/protocol.md §"Registry states": the spare slot is
 * then left empty, `spare` again).
 */
export function spareCandidates(hosts: Iterable<HostView>, type: string | null): { id: string; sector: string | null }[] {
  const out: { id: string; sector: string | null }[] = [];
  for (const h of hosts) {
    if (type === null || h.heartbeat?.type !== type) continue;
    const onSpareNode = h.node?.spare === true && (h.state === "online" || h.state === "misconfigured");
    if (h.state === "unregistered" || onSpareNode) out.push({ id: h.id, sector: h.sector });
  }
  return out;
}
