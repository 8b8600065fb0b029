import { CodedError } from "@bbb/shared";
import type { Readable } from "node:stream";
import type { Aedes } from "aedes";
import { BrokerErrorCodes } from "./errors.js";

/** What a local client is told: every message (`retained` only for the replay on subscribe). */
export interface LocalHandlers {
  message(topic: string, payload: Buffer, retained: boolean): void;
  /** What `message` threw: the caller's bug, reported; the next message is delivered as usual. */
  error(err: unknown, topic: string): void;
  /** The broker (re)started: subscriptions are back and their retained messages replayed. */
  up?(): void;
  /** The broker stopped: nothing arrives, publishes are refused until `up`. */
  down?(): void;
}

/**
 * A client inside the broker's own process: no socket, no MQTT encode/parse, no ACL (the
 * caller is trusted code of the same process). The all-in-one server's manager uses it, so
 * 10,000 heartbeats a second are not written to a loopback socket and parsed back, and a busy
 * manager cannot back up the broker's delivery queue (BENCHMARKS.md, whole system). Like a
 * network client with a persistent session it outlives a broker restart: its subscriptions
 * are made again on the new instance.
 */
export interface LocalClient {
  /**
   * Subscribes, then replays the retained messages matching the filters (`retained` true).
   * While the broker is not running the filters are kept, and subscribed when it starts.
   */
  subscribe(filters: readonly string[]): Promise<void>;
  unsubscribe(filters: readonly string[]): Promise<void>;
  /** Resolves once stored (retained) and handed to every subscriber; refused while the broker is down. */
  publish(topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
  /** Removes every subscription; later calls are refused. */
  close(): Promise<void>;
  readonly closed: boolean;
}

/** The broker's side of a local client. */
export interface AttachableLocalClient extends LocalClient {
  attach(aedes: Aedes): Promise<void>;
  detach(): void;
}

interface AedesPacket {
  topic: string;
  payload: Buffer | string;
}
type Deliver = (packet: AedesPacket, cb: () => void) => void;
interface AedesInternals {
  subscribe(topic: string, func: Deliver, done: (err?: Error) => void): void;
  unsubscribe(topic: string, func: Deliver, done: (err?: Error) => void): void;
  persistence: { createRetainedStreamCombi(patterns: string[]): Readable };
}

const asBuffer = (p: Buffer | string): Buffer => (typeof p === "string" ? Buffer.from(p) : p);

/**
 * Messages are handed to `message` in arrival order, each after the broker's own call stack
 * has returned (a microtask): a handler that publishes never re-enters the delivery that
 * called it.
 */
export function createLocalClient(handlers: LocalHandlers, onClose: (c: AttachableLocalClient) => void): AttachableLocalClient {
  let broker: (AedesInternals & Aedes) | null = null;
  const subscribed = new Set<string>();
  const queue: { topic: string; payload: Buffer; retained: boolean }[] = [];
  let scheduled = false;
  let closed = false;

  const flush = () => {
    scheduled = false;
    // Index loop, not shift(): a burst of thousands stays O(n).
    for (let i = 0; i < queue.length; i++) {
      const m = queue[i]!;
      if (closed) break;
      try {
        handlers.message(m.topic, m.payload, m.retained);
      } catch (err: unknown) {
        handlers.error(err, m.topic);
      }
    }
    queue.length = 0;
  };
  const enqueue = (topic: string, payload: Buffer, retained: boolean) => {
    queue.push({ topic, payload, retained });
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  };
  // Live messages: the retain flag of the original publish does not matter (MQTT-3.3.1-9).
  // Nothing once detached: a stopping broker publishes the wills of every client it closes,
  // which say nothing about the boards (a network client would be gone by then too).
  const deliver: Deliver = (packet, cb) => {
    if (!closed && broker !== null) enqueue(packet.topic, asBuffer(packet.payload), false);
    cb();
  };

  const call = (b: AedesInternals, op: "subscribe" | "unsubscribe", topic: string) =>
    new Promise<void>((resolve, reject) => b[op](topic, deliver, (err) => (err ? reject(err) : resolve())));

  const usable = (): AedesInternals & Aedes => {
    if (closed) throw new CodedError(BrokerErrorCodes.NOT_RUNNING, "local client closed");
    if (!broker) throw new CodedError(BrokerErrorCodes.NOT_RUNNING, "broker not running");
    return broker;
  };

  async function subscribeOn(b: AedesInternals & Aedes, filters: readonly string[]): Promise<void> {
    for (const f of filters) await call(b, "subscribe", f);
    if (filters.length === 0) return;
    for await (const packet of b.persistence.createRetainedStreamCombi([...filters]) as AsyncIterable<AedesPacket>) {
      if (closed || broker !== b) break;
      enqueue(packet.topic, asBuffer(packet.payload), true);
    }
  }

  const client: AttachableLocalClient = {
    get closed() {
      return closed;
    },
    async subscribe(filters) {
      if (closed) throw new CodedError(BrokerErrorCodes.NOT_RUNNING, "local client closed");
      const fresh = filters.filter((f) => !subscribed.has(f));
      for (const f of fresh) subscribed.add(f);
      // While the broker is down the filters are kept: attach() subscribes them and replays.
      if (broker) await subscribeOn(broker, fresh);
    },

    async unsubscribe(filters) {
      for (const f of filters) {
        if (!subscribed.delete(f)) continue;
        if (broker) await call(broker, "unsubscribe", f);
      }
    },

    async publish(topic, payload, opts) {
      const b = usable();
      return new Promise<void>((resolve, reject) =>
        b.publish(
          { cmd: "publish", topic, payload: asBuffer(payload), qos: opts.qos, retain: opts.retain, dup: false },
          (err?: Error | null) => (err ? reject(err) : resolve()),
        ),
      );
    },

    async close() {
      if (closed) return;
      await this.unsubscribe([...subscribed]).catch(() => undefined);
      closed = true;
      broker = null;
      queue.length = 0;
      onClose(client);
    },

    async attach(aedes) {
      if (closed) return;
      const b = aedes as unknown as AedesInternals & Aedes;
      broker = b;
      await subscribeOn(b, [...subscribed]);
      if (broker === b) handlers.up?.();
    },

    detach() {
      if (!broker) return;
      broker = null;
      if (!closed) handlers.down?.();
    },
  };
  return client;
}
