import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { MANAGER_USERNAME, type Topics } from "@bbb/shared";
import { keepNoDelay } from "@bbb/shared/node";
import type { Logger } from "pino";
import { createConnectionLog } from "./connection-log.js";

export interface ManagerMqttOptions {
  url: string;
  username?: string;
  password: string;
  topics: Topics;
  log: Logger;
  ca?: string | Buffer;
  /** The clock of the connection's log lines (connection-log.ts). */
  now?: () => number;
}

/**
 * The manager's MQTT connection: a normal client with a retained will `manager/status lost`
 * (docs/protocol.md §"Topic tree"); `online` is published by the caller on every connect.
 */
export function connectManagerClient(o: ManagerMqttOptions): MqttClient {
  const log = o.log.child({ module: "mqtt" });
  const opts: IClientOptions = {
    clientId: `bbb-manager-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    username: o.username ?? MANAGER_USERNAME,
    password: o.password,
    protocolVersion: 4,
    clean: true,
    keepalive: 10,
    reconnectPeriod: 1000,
    // A broker in a reconnect storm answers "server busy" (CONNACK 3, docs/protocol.md §"Server
    // busy"). MQTT.js stops reconnecting after any refused CONNACK unless told otherwise, which
    // left the manager disconnected for good while every board came back (clustered tier,
    // 40,000 boards, BENCHMARKS.md): it tries again every second, as after any other failure.
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    will: {
      topic: o.topics.managerStatus(),
      payload: Buffer.from(JSON.stringify({ v: 1, state: "lost", ts: Date.now() })),
      qos: 1,
      retain: true,
    },
    ...(o.ca ? { ca: o.ca } : {}),
  };
  const client = keepNoDelay(mqtt.connect(o.url, opts));
  const conn = createConnectionLog({ log, ...(o.now ? { now: o.now } : {}) });
  // An error that ends the connection or the attempt (its socket already destroyed) is told with
  // the `close` that follows; one on a connection that stays open is news of its own.
  client.on("error", (err) => {
    if (!client.stream.destroyed) log.warn({ err: err.message }, "mqtt error");
    else conn.failed(err.message);
  });
  client.on("close", () => {
    if (!client.disconnecting) conn.closed();
  });
  client.on("connect", () => conn.connected());
  client.on("reconnect", () => log.debug("mqtt reconnecting"));
  return client;
}
