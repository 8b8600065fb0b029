/**
 * Aedes hands one message to a client once even when several of the client's subscriptions
 * match it, by remembering the highest broker counter it delivered to that client and dropping
 * anything numbered lower. But a message does not always reach its subscribers in the order it
 * was numbered: a QoS 1 or retained publish takes more asynchronous steps (storing, the offline
 * queue) than a QoS 0 one published right after it, so the later message is delivered first and
 * the earlier one is then dropped as a "duplicate". Seen here as a board's command result or a
 * manager's `registry/hosts` view lost for a client that also follows heartbeats or
 * `registry/volatile` (docs/protocol.md §"Topic tree").
 *
 * This keeps Aedes' purpose with an exact rule: a message (broker id + counter) is handed to a
 * client once, whatever the order. Each client remembers, per broker id, the `window` counters
 * up to the highest it was handed and the last `window` counters that came in below those.
 */

export const DEDUPE_WINDOW = 1024;

interface Numbered {
  brokerId?: string;
  brokerCounter?: number;
}
type Deliver = (packet: Numbered, cb: () => void) => void;

/** The two delivery functions Aedes puts on every client; subscriptions capture them when made. */
export interface DeliveringClient {
  deliver0: Deliver;
  deliverQoS: Deliver;
}

/**
 * The counters of one broker id seen by one client: a bitmap of the `span` counters up to the
 * highest seen (messages mostly come in counter order, so the common step is one bit, with no
 * hashing), and the last `span` counters that came in below that bitmap (a QoS 1 or retained
 * message overtaken by many others) in a set. The copies of one message that several
 * subscriptions make are handed over in one loop of the emitter, before any later message, so
 * a second copy always finds the first one's mark.
 */
interface Seen {
  high: number;
  bits: Uint32Array;
  late: Set<number>;
  lateRing: number[];
  lateHead: number;
}

/** Remembers, per broker id, the `size` counters up to the highest seen and the last `size` below them; `first` is true once per counter. */
export function createSeenWindow(size: number = DEDUPE_WINDOW) {
  const words = Math.max(1, Math.ceil(size / 32));
  const span = words * 32;
  const byBroker = new Map<string, Seen>();
  let lastId: string | undefined;
  let last: Seen | undefined;

  /** Clears the bits of counters from..to (to − from < span). */
  function clear(bits: Uint32Array, from: number, to: number): void {
    for (let x = from; x <= to;) {
      const pos = x % span;
      if ((pos & 31) === 0 && to - x >= 31) {
        bits[pos >>> 5] = 0;
        x += 32;
      } else {
        bits[pos >>> 5]! &= ~(1 << (pos & 31));
        x++;
      }
    }
  }

  function firstLate(w: Seen, counter: number): boolean {
    if (w.late.has(counter)) return false;
    w.late.add(counter);
    if (w.lateRing.length < span) {
      w.lateRing.push(counter);
    } else {
      w.late.delete(w.lateRing[w.lateHead] as number);
      w.lateRing[w.lateHead] = counter;
      w.lateHead = (w.lateHead + 1) % span;
    }
    return true;
  }

  return {
    first(brokerId: string, counter: number): boolean {
      let w = brokerId === lastId ? last : byBroker.get(brokerId);
      if (!w)
        byBroker.set(
          brokerId,
          (w = { high: -1, bits: new Uint32Array(words), late: new Set(), lateRing: [], lateHead: 0 }),
        );
      lastId = brokerId;
      last = w;
      if (!Number.isSafeInteger(counter) || counter < 0) return firstLate(w, counter);
      if (counter > w.high) {
        if (w.high < 0 || counter - w.high >= span) w.bits.fill(0);
        else clear(w.bits, w.high + 1, counter);
        w.high = counter;
      } else if (counter <= w.high - span) {
        return firstLate(w, counter);
      }
      const pos = counter % span;
      const mask = 1 << (pos & 31);
      const word = w.bits[pos >>> 5]!;
      if ((word & mask) !== 0) return false;
      w.bits[pos >>> 5] = word | mask;
      return true;
    },
  };
}

/**
 * Replaces Aedes' counter check for one client (call before it can subscribe: the CONNECT's
 * first hook). A message seen before is acknowledged to the emitter and not written; any other
 * goes on without its broker id, so Aedes' own check lets it through.
 */
export function useExactDedupe(client: DeliveringClient, size: number = DEDUPE_WINDOW): void {
  const window = createSeenWindow(size);
  const wrap = (deliver: Deliver): Deliver =>
    function deliverOnce(packet, cb) {
      const id = packet.brokerId;
      if (id !== undefined && id !== "") {
        if (!window.first(id, packet.brokerCounter ?? 0)) {
          setImmediate(cb);
          return;
        }
        // A per-subscription copy made by Aedes for this client: changing it touches no other.
        packet.brokerId = undefined;
      }
      deliver.call(client, packet, cb);
    };
  client.deliver0 = wrap(client.deliver0);
  client.deliverQoS = wrap(client.deliverQoS);
}
