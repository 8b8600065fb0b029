import type { Broker, LocalClient } from "@bbb/broker";
import type { Logger } from "pino";
import type { ManagerLink } from "./link.js";

/**
 * The manager inside the embedded broker's process: every board message reaches it without a
 * loopback socket, a second MQTT encode/parse or that socket's backpressure, so a busy manager
 * can no longer back the broker up (BENCHMARKS.md, whole system); from the broker's thread they
 * come in batches (docs/architecture.md §"The broker's thread"). No will is needed: if this
 * process dies, the broker and its clients' connections die with it. A stop/start of the
 * embedded broker is a disconnect/reconnect for the manager.
 */
export function createLocalLink(broker: Broker, log: Logger): ManagerLink {
  const mlog = log.child({ module: "mqtt" });
  let client: LocalClient | null = null;
  let up = false;
  return {
    open(h) {
      return new Promise<void>((resolve) => {
        client = broker.localClient({
          message: (topic, payload, retained) => h.message(topic, payload, retained),
          error: (err, topic) => mlog.error({ err, topic }, "message handling failed"),
          up: () => {
            up = true;
            h.up();
            resolve();
          },
          down: () => {
            up = false;
            mlog.warn("embedded broker stopped");
            h.down();
          },
        });
      });
    },
    async subscribe(filters) {
      await client?.subscribe(filters);
    },
    unsubscribe(filters) {
      client?.unsubscribe(filters).catch((err: unknown) => mlog.warn({ err }, "unsubscribe failed"));
    },
    publish(topic, payload, opts) {
      // While the embedded broker is down nothing could receive it (clean sessions), as with a
      // network client whose broker restarted without persistence; retained views are refreshed.
      if (!up) return;
      client?.publish(topic, payload, opts).catch((err: unknown) => mlog.warn({ err, topic }, "publish failed"));
    },
    connected: () => up,
    async close(last) {
      const c = client;
      client = null;
      if (!c) return;
      if (last && up) await c.publish(last.topic, last.payload, last.opts).catch(() => undefined);
      up = false;
      await c.close();
    },
  };
}
