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
 * client once, whatever the order; the last `window` messages per client are remembered, far
 * more than the copies of one message that several subscriptions produce at once.
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

/** Remembers the last `size` counters of each broker id; `first` is true once per counter. */
export function createSeenWindow(size: number = DEDUPE_WINDOW) {
  const byBroker = new Map<string, { seen: Set<number>; ring: number[]; head: number }>();
  return {
    first(brokerId: string, counter: number): boolean {
      let w = byBroker.get(brokerId);
      if (!w) byBroker.set(brokerId, (w = { seen: new Set(), ring: [], head: 0 }));
      if (w.seen.has(counter)) return false;
      w.seen.add(counter);
      if (w.ring.length < size) {
        w.ring.push(counter);
      } else {
        w.seen.delete(w.ring[w.head] as number);
        w.ring[w.head] = counter;
        w.head = (w.head + 1) % size;
      }
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
