import { accessSync, constants, statfsSync } from "node:fs";
import { join } from "node:path";
import { DB_FILE } from "../store/create-store.js";

/** Below this much free space the SQLite store is reported not writable (a write would fail). */
const MIN_FREE_BYTES = 16 * 1024 * 1024;

export interface ReadinessDeps {
  dataDir: string;
  /** Embedded broker: its MQTT port once listening, null before; undefined: external broker. */
  brokerPort: () => number | null | undefined;
  mqttConnected: () => boolean;
  /** The registry was rebuilt from retained messages and requests are answered. */
  registryReady: () => boolean;
  /** The store is open (the manager started and has not stopped). */
  storeOpen: () => boolean;
  /** Whether the store's last write reached the disk (createStore().health). */
  storeWrites?: () => { ok: boolean; error: string | null } | null;
}

function sqliteCheck(
  dataDir: string,
  open: boolean,
  writes: { ok: boolean; error: string | null } | null | undefined,
): { ok: boolean; detail?: string; freeBytes?: number } {
  if (!open) return { ok: false, detail: "store not open" };
  if (writes && !writes.ok) return { ok: false, detail: `last write failed: ${writes.error ?? "unknown"}` };
  try {
    accessSync(dataDir, constants.W_OK);
    accessSync(join(dataDir, DB_FILE), constants.R_OK | constants.W_OK);
    const fs = statfsSync(dataDir);
    const freeBytes = fs.bavail * fs.bsize;
    return freeBytes < MIN_FREE_BYTES ? { ok: false, detail: "disk full", freeBytes } : { ok: true, freeBytes };
  } catch (e: unknown) {
    return { ok: false, detail: (e as NodeJS.ErrnoException).code ?? "not writable" };
  }
}

/**
 * /readyz (docs/deployment.md §"Health and metrics"): ready when the embedded broker listens (or an external one
 * is used), the manager's MQTT client is connected, the registry is rebuilt, and the SQLite
 * store is writable. Every check is reported, so a 503 says which one failed.
 */
export function createReadiness(deps: ReadinessDeps) {
  return (): { ready: boolean; checks: Record<string, { ok: boolean } & Record<string, unknown>> } => {
    const port = deps.brokerPort();
    const checks = {
      broker:
        port === undefined
          ? { ok: true, mode: "external" }
          : { ok: port !== null, mode: "embedded", ...(port !== null ? { port } : {}) },
      mqtt: { ok: deps.mqttConnected() },
      registry: { ok: deps.registryReady() },
      sqlite: sqliteCheck(deps.dataDir, deps.storeOpen(), deps.storeOpen() ? deps.storeWrites?.() : undefined),
    };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };
}
