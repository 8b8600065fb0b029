import type { Node } from "./schemas/registry.js";

/**
 * apply-node arguments from a node: what the board must adopt (docs/protocol.md §"Commands and
 * results"). The manager sends these when a node is bound, the dashboard when an operator
 * applies a board's registered configuration.
 */
export function applyNodeArgs(node: Node): {
  hostname: string;
  ip: Node["ip"];
  nameservers?: string[];
  type: string;
  pvPrefix?: string[];
  reboot: true;
} {
  return {
    hostname: node.hostname,
    ip: node.ip,
    ...(node.nameservers.length > 0 ? { nameservers: node.nameservers } : {}),
    type: node.type,
    ...(node.pvPrefixes.length > 0 ? { pvPrefix: node.pvPrefixes } : {}),
    reboot: true,
  };
}
