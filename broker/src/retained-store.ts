import { Readable } from "node:stream";

/**
 * The single broker's retained messages as raw payload bytes, one long-lived slot per topic.
 *
 * Aedes' in-memory store keeps a copy of every retained packet object and replaces it on each
 * publish: at 10,000 boards that is 10,000 new packets a second, each living exactly one
 * heartbeat period, long enough to be promoted and to keep the old generation's marker busy
 * (BENCHMARKS.md, "The latency tail is the old generation's marking"). Here a topic's slot is
 * created once and its payload copied into the same off-heap buffer on every publish (a new
 * buffer only when the payload outgrows it), so a heartbeat leaves nothing behind but the
 * incoming packet, which dies young. Readers get copies (a SUBSCRIBE is rare; a buffer being
 * written to a socket must not change under it).
 *
 * Lookups go through an index of the first two topic levels, so a filter with literal leading
 * levels (`bbb/<id>/#`) reads only its own subtree instead of testing every retained topic.
 * Semantics as MQTT 3.1.1 §3.3.1.3: an empty payload deletes, the last publish wins.
 */

export interface RetainedPacket {
  cmd: "publish";
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: true;
}

interface Slot {
  topic: string;
  buf: Buffer;
  len: number;
  qos: 0 | 1 | 2;
}

export interface RetainedStore {
  store(packet: { topic: string; payload: Buffer | string; qos?: number }): void;
  /** Retained messages matching any of the filters, each once (copies). */
  match(filters: readonly string[]): RetainedPacket[];
  /**
   * The same messages as a stream whose packets copy their payload when it is read (Aedes reads
   * it just before it writes the packet), not when the stream is made: a replay to a subscriber
   * can take seconds (10,000 views to one socket, with the stream read ahead of the writes), and
   * a copy taken earlier would reach the client after newer live messages of its topic and undo
   * them. A topic cleared before its turn is skipped, or replayed empty (a clear) if it is
   * cleared in the last moment.
   */
  stream(filters: readonly string[]): Readable;
  size(): number;
}

/** Does an MQTT topic filter match a topic name (MQTT 3.1.1 §4.7)? */
export function topicMatches(filter: string, topic: string): boolean {
  // MQTT-4.7.2-1: filters starting with a wildcard do not match topics starting with `$`.
  if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return false;
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === "#") return true;
    if (i >= t.length) return false;
    if (level !== "+" && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** `a/b` of `a/b/c/...`, or the whole topic when it has fewer levels. */
function prefixOf(topic: string): string {
  const first = topic.indexOf("/");
  if (first < 0) return topic;
  const second = topic.indexOf("/", first + 1);
  return second < 0 ? topic : topic.slice(0, second);
}

const hasWildcard = (s: string) => s.includes("+") || s.includes("#");

/** Room for the payload plus a quarter, so a heartbeat that grows by a few bytes keeps its buffer. */
const capacityFor = (len: number) => len + (len >> 2) + 64;

export function createRetainedStore(): RetainedStore {
  const byTopic = new Map<string, Slot>();
  const byPrefix = new Map<string, Map<string, Slot>>();

  function remove(topic: string): void {
    if (!byTopic.delete(topic)) return;
    const p = prefixOf(topic);
    const sub = byPrefix.get(p);
    sub?.delete(topic);
    if (sub?.size === 0) byPrefix.delete(p);
  }

  function candidates(filter: string): Iterable<Slot> {
    if (!hasWildcard(filter)) {
      const s = byTopic.get(filter);
      return s ? [s] : [];
    }
    const levels = filter.split("/", 3);
    if (levels.length >= 3 && !hasWildcard(levels[0] ?? "") && !hasWildcard(levels[1] ?? "")) {
      return byPrefix.get(`${levels[0]}/${levels[1]}`)?.values() ?? [];
    }
    return byTopic.values();
  }

  function slotsOf(filters: readonly string[]): Slot[] {
    const out: Slot[] = [];
    const seen = new Set<string>();
    for (const filter of filters) {
      for (const s of candidates(filter)) {
        if (seen.has(s.topic) || !topicMatches(filter, s.topic)) continue;
        seen.add(s.topic);
        out.push(s);
      }
    }
    return out;
  }

  const copyOf = (s: Slot): RetainedPacket => ({ cmd: "publish", topic: s.topic, payload: Buffer.from(s.buf.subarray(0, s.len)), qos: s.qos, retain: true });
  const lateCopyOf = (s: Slot): RetainedPacket => ({
    cmd: "publish",
    topic: s.topic,
    get payload() {
      return byTopic.get(s.topic) === s ? Buffer.from(s.buf.subarray(0, s.len)) : Buffer.alloc(0);
    },
    get qos() {
      return s.qos;
    },
    retain: true,
  });

  return {
    store(packet) {
      const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
      const len = payload.length;
      if (len === 0) return remove(packet.topic);
      const qos = (packet.qos ?? 0) as 0 | 1 | 2;
      let slot = byTopic.get(packet.topic);
      if (!slot) {
        slot = { topic: packet.topic, buf: Buffer.allocUnsafeSlow(capacityFor(len)), len, qos };
        byTopic.set(slot.topic, slot);
        const p = prefixOf(slot.topic);
        let sub = byPrefix.get(p);
        if (!sub) byPrefix.set(p, (sub = new Map<string, Slot>()));
        sub.set(slot.topic, slot);
      } else if (slot.buf.length < len || slot.buf.length > 4 * capacityFor(len)) {
        slot.buf = Buffer.allocUnsafeSlow(capacityFor(len));
      }
      payload.copy(slot.buf, 0, 0, len);
      slot.len = len;
      slot.qos = qos;
    },
    match(filters) {
      return slotsOf(filters).map(copyOf);
    },
    stream(filters) {
      const slots = slotsOf(filters);
      let i = 0;
      return new Readable({
        objectMode: true,
        read() {
          for (;;) {
            if (i >= slots.length) {
              this.push(null);
              return;
            }
            const s = slots[i++] as Slot;
            // Removed (an empty publish) since the SUBSCRIBE: nothing to replay.
            if (byTopic.get(s.topic) !== s) continue;
            if (!this.push(lateCopyOf(s))) return;
          }
        },
      });
    },
    size: () => byTopic.size,
  };
}

/** The parts of Aedes' persistence (aedes-persistence 11) that retained messages go through. */
export interface RetainedPersistence {
  storeRetained(packet: { topic: string; payload: Buffer | string; qos?: number }): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

/**
 * Routes a single broker's retained messages to `store` (Aedes looks the methods up on its
 * persistence at every call). Not for the cluster: there Redis holds what the replicas share.
 */
export function useRetainedStore(persistence: RetainedPersistence, store: RetainedStore): void {
  const stored = Promise.resolve();
  persistence.storeRetained = (packet) => {
    store.store(packet);
    return stored;
  };
  persistence.createRetainedStream = (pattern) => store.stream([pattern]);
  persistence.createRetainedStreamCombi = (patterns) => store.stream(patterns);
}
