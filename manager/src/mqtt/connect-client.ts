import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { MANAGER_USERNAME, type Topics } from "@bbb/shared";
import { keepNoDelay } from "@bbb/shared/node";
import type { Logger } from "pino";

export interface ManagerMqttOptions {
  url: string;
  username?: string;
  password: string;
  topics: Topics;
  log: Logger;
  ca?: string | Buffer;
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
  client.on("error", (err) => log.warn({ err: err.message }, "mqtt error"));
  client.on("offline", () => log.warn("mqtt offline"));
  client.on("reconnect", () => log.debug("mqtt reconnecting"));
  return client;
}
