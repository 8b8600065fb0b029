import { DEFAULT_PORTS, MQTT_WS_PATH } from "@bbb/shared";

/**
 * The MQTT-over-WebSocket URL next to the page (docs/protocol.md §"Ports": HTTP port, path /mqtt): the manager
 * serves both, so the page's own host and port are right; a dev server falls back to 4850.
 */
export function defaultServerUrl(loc: { protocol: string; host: string; hostname: string; port: string }, devPort?: string): string {
  const ws = loc.protocol === "https:" ? "wss:" : "ws:";
  if (devPort !== undefined && loc.port === devPort) return `${ws}//${loc.hostname}:${DEFAULT_PORTS.http}${MQTT_WS_PATH}`;
  return `${ws}//${loc.host || "localhost"}${MQTT_WS_PATH}`;
}

export function isWsUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "ws:" || u.protocol === "wss:") && u.host !== "";
  } catch {
    return false;
  }
}
