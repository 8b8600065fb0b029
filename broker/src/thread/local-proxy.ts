import { CodedError } from "@bbb/shared";
import { BrokerErrorCodes } from "../errors.js";
import type { LocalClient, LocalHandlers } from "../local-client.js";

/** The owner's record of one in-process client of the broker's thread (threaded-broker.ts). */
export interface LocalProxy {
  handlers: LocalHandlers;
  filters: Set<string>;
  up: boolean;
  closed: boolean;
}

/** What a local client needs of the threaded broker: whether its thread runs, and a request to it. */
export interface LocalLink {
  running(): boolean;
  request(item: Record<string, unknown>): Promise<unknown>;
  /** The client closed: the owner drops its record. */
  forget(): void;
}

/**
 * The manager's in-process client as seen from the owner's thread: subscriptions are kept here
 * (and taken along to a thread started again), publishes go to the broker's thread as requests.
 */
export function localProxyClient(l: number, p: LocalProxy, link: LocalLink): LocalClient {
  const usable = () => {
    if (p.closed) throw new CodedError(BrokerErrorCodes.NOT_RUNNING, "local client closed");
  };
  return {
    get closed() {
      return p.closed;
    },
    async subscribe(filters) {
      usable();
      const fresh = filters.filter((f) => !p.filters.has(f));
      for (const f of fresh) p.filters.add(f);
      if (link.running() && fresh.length > 0) await link.request({ k: "local-sub", l, filters: fresh });
    },
    async unsubscribe(filters) {
      const gone = filters.filter((f) => p.filters.delete(f));
      if (link.running() && gone.length > 0) await link.request({ k: "local-unsub", l, filters: gone });
    },
    async publish(topic, payload, opts) {
      usable();
      if (!p.up) throw new CodedError(BrokerErrorCodes.NOT_RUNNING, "broker not running");
      await link.request({ k: "pub", l, t: topic, q: opts.qos, r: opts.retain, bytes: typeof payload === "string" ? Buffer.from(payload) : payload });
    },
    async close() {
      if (p.closed) return;
      p.closed = true;
      p.filters.clear();
      if (link.running()) await link.request({ k: "local-close", l }).catch(() => undefined);
      link.forget();
    },
  };
}
