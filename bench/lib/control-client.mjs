import mqtt from "mqtt";
import { createTopics } from "@bbb/shared";
import { nowMs } from "./payloads.mjs";

/**
 * An operator's MQTT client (admin) for manager requests (docs/protocol.md §"Manager requests": request/<method> →
 * response/<clientId>, correlated by `transaction`).
 */
export async function startControl({ url, username, password }) {
  const clientId = `bench-ctl-${process.pid}`;
  const topics = createTopics("bbb");
  const client = await mqtt.connectAsync(`mqtt://${url.host}:${url.port}`, { clientId, username, password, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000 });
  const pending = new Map();
  client.on("message", (topic, payload) => {
    let m;
    try {
      m = JSON.parse(payload.toString());
    } catch {
      return;
    }
    const p = pending.get(m?.transaction);
    if (p) {
      pending.delete(m.transaction);
      p.resolve({ ...m, receivedAt: nowMs() });
    }
  });
  await client.subscribeAsync(topics.managerResponse(clientId), { qos: 1 });
  let n = 0;
  return {
    /** Calls a manager method; resolves with the response and its arrival time. */
    call(method, params, timeoutMs = 120_000) {
      const transaction = `bench-${process.pid}-${++n}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(transaction);
          reject(new Error(`${method}: no response in ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(transaction, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
        });
        client.publish(topics.managerRequest(method), JSON.stringify({ transaction, params }), { qos: 1 });
      });
    },
    /** Publishes a command as a connected operator would (QoS 1, never retained). */
    publish: (topic, payload) => client.publishAsync(topic, payload, { qos: 1 }),
    close: () => client.endAsync(true),
  };
}
