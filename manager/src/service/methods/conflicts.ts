import { hostsConflictsParamsSchema, hostsConflictsResultSchema, type ConflictHolder } from "@bbb/shared";
import type { z } from "zod";
import type { Registry } from "../../registry/create-registry.js";
import { defineMethod, type MethodDef } from "../method.js";
import type { ServiceDeps } from "./deps.js";

const MAX = 256;

/**
 * Boards reporting, and nodes registered with, an IP address or hostname, except the board being
 * changed and its own node: what a set-ip, set-hostname or node edit would collide with.
 * Hostnames compare case-insensitively (RFC 1123 names are).
 */
export function findConflicts(reg: Registry, p: z.output<typeof hostsConflictsParamsSchema>): ConflictHolder[] {
  const out: ConflictHolder[] = [];
  const host = p.hostname?.toLowerCase();
  for (const rec of reg.records.values()) {
    const hb = rec.live.heartbeat;
    if (rec.state === null || rec.id === p.id || !hb) continue;
    const base = { holder: "board" as const, boardId: rec.id, hostname: hb.hostname, state: rec.state };
    if (p.ip !== undefined && hb.ip === p.ip) out.push({ field: "ip", value: p.ip, ...base });
    if (host !== undefined && hb.hostname.toLowerCase() === host) out.push({ field: "hostname", value: hb.hostname, ...base });
  }
  for (const [hostname, node] of reg.nodes) {
    const bound = reg.boardOfNode(hostname)?.id ?? node.boardId;
    if (p.id !== undefined && bound === p.id) continue;
    const base = { holder: "node" as const, boardId: bound, hostname, state: reg.nodeView(hostname)?.state ?? null };
    if (p.ip !== undefined && node.ip.mode === "manual" && node.ip.ip === p.ip) out.push({ field: "ip", value: p.ip, ...base });
    if (host !== undefined && hostname.toLowerCase() === host) out.push({ field: "hostname", value: hostname, ...base });
  }
  return out.slice(0, MAX);
}

export function conflictMethods(deps: ServiceDeps): MethodDef[] {
  return [
    defineMethod({
      name: "hosts.conflicts",
      description: "Boards and nodes that already have an IP address or hostname (asked before sending a set-ip or set-hostname).",
      role: "viewer",
      params: hostsConflictsParamsSchema,
      result: hostsConflictsResultSchema,
      // A question, not a change: GET keeps it out of the audit trail (docs/protocol.md "Audit trail").
      http: { method: "GET", path: "/conflicts" },
      handler: (p) => ({ conflicts: findConflicts(deps.registry, p) }),
    }),
  ];
}
