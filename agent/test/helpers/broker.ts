import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { Aedes } from "aedes";
import mqtt, { type MqttClient } from "mqtt";

/** A real in-process Aedes broker on 127.0.0.1:0. */
export async function startBroker(host = "127.0.0.1", port = 0) {
  const aedes = await Aedes.createBroker();
  const server = net.createServer({ noDelay: true }, aedes.handle);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const p = (server.address() as AddressInfo).port;
  return {
    aedes,
    port: p,
    url: `mqtt://${host}:${p}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A watching MQTT.js client that records messages and waits for matching ones. */
export async function startObserver(url: string, filters: string[]) {
  const client: MqttClient = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId: `obs-${Math.random().toString(36).slice(2)}`,
    reconnectPeriod: 0,
  });
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  client.on("message", (topic, payload, packet) => {
    received.push({ topic, payload: payload.toString(), retain: packet.retain });
    for (const w of [...waiters]) w();
  });
  await client.subscribeAsync(
    filters.map((f) => ({ topic: f, qos: 1 as const })).reduce((a, s) => ({ ...a, [s.topic]: { qos: s.qos } }), {}),
  );
  return {
    client,
    received,
    /** Resolves with the first (existing or future) message matching pred. */
    waitFor(pred: (m: Received) => boolean, timeoutMs = 10_000, from = 0): Promise<Received> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = received.slice(from).find(pred);
          if (m) {
            clearTimeout(t);
            waiters.splice(waiters.indexOf(check), 1);
            resolve(m);
          }
        };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(
            new Error(
              `timeout waiting for message; got ${received.length}: ${received
                .slice(-5)
                .map((r) => r.topic + " " + r.payload.slice(0, 120))
                .join(" | ")}`,
            ),
          );
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    publish: (topic: string, payload: string, retain = false) =>
      client.publishAsync(topic, payload, { qos: 1, retain }),
    close: () => client.endAsync(true),
  };
}
