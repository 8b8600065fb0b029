import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { createConnection } from "node:net";
import { keepNoDelay } from "@bbb/shared/node";

/**
 * MQTT.js's `connect`, except that a plain `mqtt://host[:port]` URL gets its TCP socket here.
 * MQTT.js's own `connect` loads every transport it knows (TLS, WebSocket, SOCKS and their
 * libraries) at the first connection whatever the URL, ~1.3 MiB of resident heap the agent never
 * uses on a plain link (RSS target, BENCHMARKS.md §"Agent footprint"). Every other URL (mqtts://,
 * ws://, wss://, credentials or a query in the URL) and a SOCKS proxy (`socksProxy`, MQTT.js's
 * MQTTJS_SOCKS_PROXY) go through MQTT.js's `connect` unchanged.
 */
/** URL.canParse is missing on Node 16 (the Debian 9 package's runtime). */
function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

export function createPlainConnect(socksProxy: string | undefined) {
  return (url: string, opts: IClientOptions): MqttClient => {
    const u = parseUrl(url);
    if (!u || u.protocol !== "mqtt:" || u.username || u.password || u.search || u.pathname.length > 1 || socksProxy)
      return keepNoDelay(mqtt.connect(url, socksProxy ? { ...opts, socksProxy } : opts));
    const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = u.port ? Number(u.port) : 1883;
    // Nagle off from the first byte (keepNoDelay says why).
    const client = new mqtt.MqttClient(() => createConnection({ host, port }).setNoDelay(true), { ...opts, protocol: "mqtt", host, hostname: host, port });
    // As MQTT.js's connect: an error before the caller's listener is attached is not a crash.
    client.on("error", () => undefined);
    return client;
  };
}
