import {
  MAX_COMMAND_BYTES,
  MAX_HEARTBEAT_BYTES,
  heartbeatSchema,
  hostViewSchema,
  iocsPayloadSchema,
  MAX_IOCS_BYTES,
  inventorySchema,
  type Heartbeat,
  checkHeartbeat,
  decodePayload,
  parseTopic,
  resultSchema,
  statusSchema,
  MAX_RESULT_OUTPUT_BYTES,
} from "@bbb/shared";
import type { Logger } from "pino";
import type { CommandTracker } from "../commands/command-tracker.js";
import { createRateLimiter } from "../log.js";
import type { Registry } from "../registry/create-registry.js";
import { ManagerErrorCodes } from "../errors.js";

const MAX_STATUS_BYTES = 512;
const MAX_INVENTORY_BYTES = 16 * 1024;
const MAX_RESULT_BYTES = MAX_RESULT_OUTPUT_BYTES * 2 + 4096;

export interface IngestDeps {
  log: Logger;
  topicRoot: string;
  registry: () => Registry;
  tracker: CommandTracker;
  /** Retained topics of a previous run seen during start-up (ghost detection). */
  onRetainedRegistryTopic?: (topic: string, kind: "node" | "type" | "host") => void;
  /** A live heartbeat the registry took (health history); on the hot path, so only cheap work. */
  onHeartbeat?: (boardId: string, hb: Heartbeat) => void;
  /** Counts for /metrics; called on the hot path, so implementations only add. */
  observe?: IngestObserver;
}

export interface IngestObserver {
  accepted(kind: "heartbeat" | "status" | "result"): void;
  rejected(kind: "heartbeat" | "status" | "result", code: string): void;
}

/**
 * Inbound board traffic → registry and command tracker. Every payload is decoded with the
 * shared schemas and a size limit; a bad one is dropped with a rate-limited log line and the
 * board's last good state stays as it was (docs/protocol.md §"Authentication and ACL").
 */
export function createIngest(deps: IngestDeps) {
  const log = deps.log.child({ module: "ingest" });
  const limited = createRateLimiter(10_000);
  let rejected = 0;

  const observe = deps.observe;
  const reject = (topic: string, boardId: string, code: string, message: string, size: number) => {
    rejected++;
    const kind = parseTopic(topic, deps.topicRoot)?.kind;
    if (kind === "heartbeat" || kind === "status" || kind === "result") observe?.rejected(kind, code);
    limited(`${boardId}:${code}`, (dropped) =>
      log.warn({ topic, boardId, code, size, detail: message, droppedSince: dropped }, "payload rejected"),
    );
  };

  return {
    rejectedCount: () => rejected,
    handle(topic: string, payload: Buffer, retained: boolean): void {
      const t = parseTopic(topic, deps.topicRoot);
      if (t === null) return;
      switch (t.kind) {
        case "heartbeat": {
          if (payload.byteLength === 0) return;
          const d = decodePayload(heartbeatSchema, payload, MAX_HEARTBEAT_BYTES, { check: checkHeartbeat });
          if (!d.ok) return reject(topic, t.boardId, d.code, d.message, payload.byteLength);
          if (d.value.id !== t.boardId)
            return reject(topic, t.boardId, ManagerErrorCodes.ID_MISMATCH, `heartbeat id ${d.value.id}`, payload.byteLength);
          deps.registry().applyHeartbeat(t.boardId, d.value, retained);
          if (!retained) deps.onHeartbeat?.(t.boardId, d.value);
          observe?.accepted("heartbeat");
          return;
        }
        case "status": {
          // An empty retained payload is a cleared topic (a forgotten board), not a status.
          if (payload.byteLength === 0) return;
          const d = decodePayload(statusSchema, payload, MAX_STATUS_BYTES);
          if (!d.ok) return reject(topic, t.boardId, d.code, d.message, payload.byteLength);
          deps.registry().applyStatus(t.boardId, d.value, retained);
          observe?.accepted("status");
          return;
        }
        case "result": {
          const d = decodePayload(resultSchema, payload, Math.max(MAX_RESULT_BYTES, MAX_COMMAND_BYTES));
          if (!d.ok) return reject(topic, t.boardId, d.code, d.message, payload.byteLength);
          if (d.value.id !== t.requestId)
            return reject(topic, t.boardId, ManagerErrorCodes.ID_MISMATCH, `result id ${d.value.id}`, payload.byteLength);
          deps.tracker.handleResult(t.boardId, t.requestId, d.value);
          observe?.accepted("result");
          return;
        }
        case "iocs": {
          // An empty retained payload is a cleared topic (a forgotten board).
          if (payload.byteLength === 0) return;
          const d = decodePayload(iocsPayloadSchema, payload, MAX_IOCS_BYTES);
          if (!d.ok) return reject(topic, t.boardId, d.code, d.message, payload.byteLength);
          deps.registry().applyIocs(t.boardId, d.value);
          return;
        }
        case "inventory": {
          // An empty retained payload is a cleared topic (a forgotten board).
          if (payload.byteLength === 0) return;
          const d = decodePayload(inventorySchema, payload, MAX_INVENTORY_BYTES);
          if (!d.ok) return reject(topic, t.boardId, d.code, d.message, payload.byteLength);
          if (d.value.id !== t.boardId)
            return reject(topic, t.boardId, ManagerErrorCodes.ID_MISMATCH, `inventory id ${d.value.id}`, payload.byteLength);
          deps.registry().applyInventory(t.boardId, d.value);
          return;
        }
        case "registry-host": {
          if (!retained || payload.byteLength === 0) return;
          deps.onRetainedRegistryTopic?.(topic, "host");
          const d = decodePayload(hostViewSchema, payload, 64 * 1024);
          if (d.ok && d.value.id === t.boardId) deps.registry().applyPreviousView(d.value);
          return;
        }
        case "registry-node":
          if (retained && payload.byteLength > 0) deps.onRetainedRegistryTopic?.(topic, "node");
          return;
        case "registry-type":
          if (retained && payload.byteLength > 0) deps.onRetainedRegistryTopic?.(topic, "type");
          return;
        case "cmd":
        case "log":
        case "registry-summary":
        case "registry-volatile":
        case "manager-status":
        case "manager-request":
        case "manager-response":
        case "manager-reply":
          return;
      }
    },
  };
}
export type Ingest = ReturnType<typeof createIngest>;
