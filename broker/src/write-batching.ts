import type { Writable } from "node:stream";

/**
 * Batches the packets a connection is sent during one turn of the event loop into one write.
 *
 * mqtt-packet corks the stream for each packet and uncorks it on the next tick, so a
 * subscriber that gets 10,000 messages a second costs 10,000 `writev` system calls — the
 * largest item (~30 %) of the broker's CPU profile (BENCHMARKS.md, broker tier). Holding the
 * uncork until `setImmediate` (after the poll phase has handled every socket that was readable)
 * sends all the messages of that turn in one `writev`, as mosquitto's per-client packet queue
 * does. The delay is at most the rest of the current turn. `end()` and `destroy()` first send
 * what is held (a refused CONNACK is written just before its connection is destroyed), and
 * from then on nothing is held.
 */
export function batchWrites(stream: Writable): void {
  const uncork = stream.uncork.bind(stream);
  let pending = 0;
  let scheduled = false;
  let direct = false;
  const flush = () => {
    const n = pending;
    pending = 0;
    for (let i = 0; i < n; i++) uncork();
  };
  const onImmediate = () => {
    scheduled = false;
    flush();
  };
  stream.uncork = () => {
    if (direct) return uncork();
    pending++;
    if (!scheduled) {
      scheduled = true;
      setImmediate(onImmediate);
    }
  };
  const end = stream.end.bind(stream) as (...a: unknown[]) => Writable;
  const destroy = stream.destroy.bind(stream);
  stream.end = function (...args: unknown[]) {
    direct = true;
    flush();
    return end(...args);
  } as Writable["end"];
  stream.destroy = function (err?: Error) {
    direct = true;
    flush();
    return destroy(err);
  };
}
