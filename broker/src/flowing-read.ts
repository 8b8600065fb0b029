import { Socket } from "node:net";
import { admitChunk } from "./packet-size-guard.js";
import { readIntoSharedBuffer } from "./shared-read-buffer.js";

/**
 * Aedes reads each connection in paused mode: every chunk the socket receives is buffered by the
 * stream, announced with a `readable` event from a `process.nextTick`, taken back with
 * `read(null)` (which schedules a second tick to read ahead) and only then parsed. A board's
 * heartbeat is one chunk a second on each of thousands of connections, so that is two ticks, a
 * buffer-list round trip and a `_read` call per message (BENCHMARKS.md, "The memory reducer, the
 * read path and the threads' batches").
 *
 * `useFlowingRead` reads a TCP or TLS connection in flowing mode instead: a chunk is parsed in
 * the socket's own `data` event, as it arrives. What Aedes' reading guaranteed is kept:
 * - while Aedes holds the client paused (its CONNECT being authenticated), chunks are held in
 *   order and the socket stops reading; `resume()` parses them before anything newer;
 * - Aedes' count of packets in hand (`_parsingBatch`, which tells the first packet from those to
 *   queue until the CONNACK) moves as before: down by one per packet handled, never below 0;
 * - a handler's error still reaches the client's `error` event.
 * Other connections (WebSocket streams) keep Aedes' own reading. A plain TCP connection is then
 * read into one buffer shared by all connections (shared-read-buffer.ts) and each read is parsed
 * straight from the socket's read callback, past its `push` and `data` event, after the packet
 * size guard has seen it (`admitChunk`); what the socket had buffered before still comes as
 * `data`, first.
 */

/** The parts of an Aedes client this uses. */
export interface ReadingClient {
  conn: unknown;
  _parser: { parse(buf: Buffer): unknown };
  _paused?: boolean;
  _parsingBatch: number;
  _nextBatch: (err?: Error | null) => void;
  emit(event: "error", err: Error): boolean;
}

/** Clients already reading in flowing mode: a second call must not add a second reader. */
const flowing = new WeakSet<ReadingClient>();

/** Switches this client's connection to flowing reads; false (nothing changed) when it is not a socket or already flowing. */
export function useFlowingRead(client: ReadingClient): boolean {
  const conn = client.conn;
  if (!(conn instanceof Socket) || flowing.has(client)) return false;
  flowing.add(client);
  conn.removeListener("readable", client._nextBatch);
  const held: Buffer[] = [];

  const drain = (): void => {
    while (held.length > 0 && !client._paused) client._parser.parse(held.shift() as Buffer);
    if (!client._paused && held.length === 0 && conn.isPaused() && !conn.destroyed) conn.resume();
  };

  client._nextBatch = function nextBatch(err?: Error | null): void {
    if (err) {
      client.emit("error", err);
      return;
    }
    if (client._paused) return;
    client._parsingBatch = Math.max(0, client._parsingBatch - 1);
    drain();
  };

  const take = (chunk: Buffer): void => {
    if (client._paused || held.length > 0) {
      held.push(chunk);
      conn.pause();
      return;
    }
    client._parser.parse(chunk);
  };
  conn.on("data", take);
  readIntoSharedBuffer(conn, {
    sink: (chunk) => {
      if (!admitChunk(conn, chunk)) return false;
      take(chunk);
      return true;
    },
  });
  return true;
}
