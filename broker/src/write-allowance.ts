import type { Writable } from "node:stream";
import type { BrokerRole } from "./acl.js";

/**
 * Bytes a connection may hold unsent before a message to it makes its publisher wait
 * (docs/architecture.md §"Slow subscribers"). Aedes waits for 'drain' as soon as a socket holds
 * its high-water mark (16 KiB), and meanwhile reads nothing more from the client that published:
 * with the manager as the slow subscriber, every board's next beat and the manager's own
 * publishes stalled, the manager's client stopped reading in turn, and after 30 s the broker
 * dropped it, again and again (BENCHMARKS.md §"Clustered tier, whole system"). The manager and
 * users get room for a burst; boards, which receive little, keep the socket's own mark.
 */
export const WRITE_ALLOWANCE: Record<BrokerRole, number> = {
  manager: 64 * 1024 * 1024,
  admin: 8 * 1024 * 1024,
  operator: 8 * 1024 * 1024,
  viewer: 8 * 1024 * 1024,
  agent: 0,
};

/**
 * Makes `write()` report back-pressure only once the stream holds `allowance` bytes (never
 * before its own high-water mark). The bytes are buffered by the stream either way; a 'drain'
 * still follows every write that really filled it.
 */
export function allowBufferedWrites(stream: Writable): { set(bytes: number): void } {
  let allowance = 0;
  const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = function (...args: unknown[]) {
    return write(...args) || stream.writableLength < allowance;
  } as Writable["write"];
  return {
    set(bytes) {
      allowance = bytes;
    },
  };
}
