/**
 * How many CONNECTs the broker works on at once (docs/protocol.md §"Server busy").
 *
 * When boards reconnect faster than the broker can admit them (a restart of the server with
 * 10,000 boards), CONNECTs queue up behind each other and behind the heartbeats; a client whose
 * CONNACK does not come within its connect timeout gives up and tries again, while the broker
 * still finishes the work for the connection it abandoned, and the queue only grows. Instead, a
 * CONNECT is admitted only while fewer than `maxPending` are in progress (authentication to
 * CONNACK) and the oldest of them has waited less than `maxWaitMs`; otherwise it is answered at
 * once with CONNACK 3, "server unavailable" (MQTT 3.1.1 §3.2.2.3; MQTT 5 calls it 0x89 "server
 * busy"), and the client backs off with jitter and tries again.
 */

export interface ConnectAdmissionOptions {
  /** CONNECTs in progress at most; default 500. */
  maxPending?: number;
  /** Shed while the oldest CONNECT in progress has waited this long; default 2,000 ms. */
  maxWaitMs?: number;
  now?: () => number;
}

export interface ConnectAdmission<C extends object> {
  /** Whether to go on with this client's CONNECT; if so it counts until `done`. */
  admit(client: C): boolean;
  /** The CONNECT was answered (CONNACK sent) or its connection closed; repeated calls are harmless. */
  done(client: C): void;
  pending(): number;
}

export const DEFAULT_MAX_PENDING_CONNECTS = 500;
export const DEFAULT_MAX_CONNECT_WAIT_MS = 2000;

export function createConnectAdmission<C extends object>(opts: ConnectAdmissionOptions = {}): ConnectAdmission<C> {
  const maxPending = opts.maxPending ?? DEFAULT_MAX_PENDING_CONNECTS;
  const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_CONNECT_WAIT_MS;
  const now = opts.now ?? Date.now;
  // Insertion order is admission order: the first entry is the oldest CONNECT in progress.
  const inProgress = new Map<C, number>();

  // One CONNECT stuck for much longer than the queue ever waits (an authentication that never
  // answers) is not a queue: it stops counting, so it cannot shut the door for everyone.
  const staleMs = 5 * maxWaitMs;

  function oldestWait(t: number): number {
    for (const [client, since] of inProgress) {
      if (t - since < staleMs) return t - since;
      inProgress.delete(client);
    }
    return 0;
  }

  return {
    admit(client) {
      const t = now();
      if (inProgress.size >= maxPending || oldestWait(t) >= maxWaitMs) return false;
      inProgress.set(client, t);
      return true;
    },
    done(client) {
      inProgress.delete(client);
    },
    pending: () => inProgress.size,
  };
}
