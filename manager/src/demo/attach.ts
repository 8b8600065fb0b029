import type { LockState } from "../ops/data-lock.js";

export type DemoStart =
  { kind: "own-server" } | { kind: "attach"; mqttUrl: string; pid: number } | { kind: "refuse"; message: string };

/**
 * What `npm run demo` does on a data dir (docs/deployment.md §"Quick start"): start its own
 * server when the dir is free; attach its boards to the broker of the server that holds the dir
 * (`make start` in another terminal; the server writes its broker URL into the lock); or, when that
 * URL is unknown, say in one line which command attaches.
 */
export function demoStart(lock: LockState, dataDir: string, configuredMqttPort: number): DemoStart {
  if (lock.state !== "held") return { kind: "own-server" };
  const url = (lock.lock as Record<string, unknown>).mqttUrl;
  if (typeof url === "string" && /^mqtts?:\/\//.test(url)) return { kind: "attach", mqttUrl: url, pid: lock.lock.pid };
  return {
    kind: "refuse",
    message:
      `data dir ${dataDir} is in use by a server (pid ${lock.lock.pid}); attach to it with: ` +
      `npm run demo -- --connect mqtt://127.0.0.1:${configuredMqttPort || 1883}`,
  };
}
