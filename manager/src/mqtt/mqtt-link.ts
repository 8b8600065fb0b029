import type { MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Topics } from "@bbb/shared";
import { connectManagerClient } from "./connect-client.js";
import type { ManagerLink } from "./link.js";

export interface MqttLinkOptions {
  url: string;
  username?: string;
  password: string;
  ca?: string | Buffer;
  topics: Topics;
  log: Logger;
}

/** The manager as a network MQTT client (BBB_MQTT_URL: an external broker tier). */
export function createMqttLink(o: MqttLinkOptions): ManagerLink {
  let client: MqttClient | null = null;
  return {
    open(h) {
      const c = connectManagerClient(o);
      client = c;
      c.on("message", (topic, payload, packet) => h.message(topic, payload, packet.retain));
      c.on("connect", () => h.up());
      c.on("close", () => h.down());
      return new Promise<void>((resolve, reject) => {
        const onErr = (err: Error) => {
          if (/not authorized|bad user/i.test(err.message)) reject(err);
        };
        c.once("connect", () => {
          c.off("error", onErr);
          resolve();
        });
        c.on("error", onErr);
      });
    },
    async subscribe(filters) {
      await client?.subscribeAsync([...filters], { qos: 1 });
    },
    unsubscribe(filters) {
      client?.unsubscribe([...filters]);
    },
    publish(topic, payload, opts) {
      client?.publish(topic, payload, opts);
    },
    connected: () => client?.connected ?? false,
    async close(last) {
      const c = client;
      client = null;
      if (!c) return;
      if (last && c.connected) await c.publishAsync(last.topic, last.payload, last.opts).catch(() => undefined);
      await c.endAsync(true).catch(() => undefined);
    },
  };
}
