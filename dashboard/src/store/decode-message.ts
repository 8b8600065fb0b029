import {
  decodePayload,
  hostsVolatileSchema,
  hostViewSchema,
  logSchema,
  managerStatusSchema,
  MAX_PACKET_BYTES,
  MAX_RESULT_OUTPUT_BYTES,
  nodeViewSchema,
  parseTopic,
  resultSchema,
  summarySchema,
  typeSchema,
} from "@bbb/shared";
import type { FleetEvent } from "./events.js";

/** Result payloads carry up to 64 KiB of output plus the envelope. */
const MAX_RESULT_BYTES = MAX_RESULT_OUTPUT_BYTES * 2;
const MAX_REGISTRY_BYTES = 64 * 1024;

/**
 * One inbound message to a reducer event, parsed with the shared schemas.
 * An empty retained payload clears a registry entry (the manager forgets a board or node).
 * Anything unknown or invalid yields null: a bad message never breaks the page.
 */
export function decodeMessage(root: string, topic: string, payload: Uint8Array, now: number): FleetEvent | null {
  const t = parseTopic(topic, root);
  if (!t) return null;
  const empty = payload.byteLength === 0;
  switch (t.kind) {
    case "registry-host": {
      if (empty) return { kind: "host", id: t.boardId, view: null };
      const d = decodePayload(hostViewSchema, payload, MAX_REGISTRY_BYTES);
      return d.ok ? { kind: "host", id: t.boardId, view: d.value } : null;
    }
    case "registry-volatile": {
      const d = decodePayload(hostsVolatileSchema, payload, MAX_PACKET_BYTES);
      return d.ok ? { kind: "volatile", hosts: d.value.hosts } : null;
    }
    case "registry-node": {
      if (empty) return { kind: "node", hostname: t.hostname, view: null };
      const d = decodePayload(nodeViewSchema, payload, MAX_REGISTRY_BYTES);
      return d.ok ? { kind: "node", hostname: t.hostname, view: d.value } : null;
    }
    case "registry-type": {
      if (empty) return { kind: "type", name: t.name, type: null };
      const d = decodePayload(typeSchema, payload, MAX_REGISTRY_BYTES);
      return d.ok ? { kind: "type", name: t.name, type: d.value } : null;
    }
    case "registry-summary": {
      if (empty) return { kind: "summary", summary: null };
      const d = decodePayload(summarySchema, payload, MAX_PACKET_BYTES);
      return d.ok ? { kind: "summary", summary: d.value } : null;
    }
    case "manager-status": {
      if (empty) return { kind: "manager", status: null };
      const d = decodePayload(managerStatusSchema, payload, 4096);
      return d.ok ? { kind: "manager", status: d.value } : null;
    }
    case "result": {
      const d = decodePayload(resultSchema, payload, MAX_RESULT_BYTES);
      return d.ok ? { kind: "result", boardId: t.boardId, result: d.value, at: now } : null;
    }
    case "log": {
      const d = decodePayload(logSchema, payload, 8192);
      return d.ok ? { kind: "log", boardId: t.boardId, line: d.value, at: now } : null;
    }
    case "status":
    case "heartbeat":
    case "iocs":
    case "inventory":
    case "cmd":
    case "manager-request":
    case "manager-response":
    case "manager-reply":
      // The dashboard reads the coalesced registry, not the raw per-board stream (the board
      // page's IOC panel subscribes to one board's iocs itself, epics/use-board-iocs.ts)
      // (docs/protocol.md §"Topic tree": registry/hosts is coalesced); responses go to the requester, not the store.
      return null;
  }
}
