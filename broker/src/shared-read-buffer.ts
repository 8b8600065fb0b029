import { Socket } from "node:net";
import { TLSSocket } from "node:tls";

/**
 * Node reads a TCP socket into a fresh 64 KiB allocation per read, shrinks it to the bytes read,
 * wraps it in a new ArrayBuffer and Buffer and hands it to the stream's `push`, which emits
 * `data` and schedules a read-ahead tick. A board's heartbeat is one read of a few hundred bytes
 * a second on each connection, so at small fleets that is paid once per message.
 *
 * Node has a reused-buffer read built in, as the `onread` option of `new net.Socket()`, but not
 * for the sockets a server accepts. `readIntoSharedBuffer` turns it on for an accepted plain TCP
 * socket: every read lands in one buffer shared by all connections of this thread, and a copy of
 * exactly the bytes read is made (a slice of Node's small-buffer pool: the parser keeps views of
 * its chunk, a PUBLISH's payload, past the next read). The copy enters the socket through its own
 * `push`, as Node's read would (`data` events, a wrapper of `push` such as the packet size
 * guard, back-pressure), or, with a `sink`, goes to the sink itself, past the stream's buffer,
 * its `data` event and the tick. The sink is where the gain is: a bare Node relay spends the
 * same per message with the shared buffer and `push` as with Node's own read, and 12–15 % less
 * with a sink (BENCHMARKS.md, "The floor under the broker"). A sink is then the socket's reader
 * and answers for what `push` did (flowing-read.ts asks the packet size guard, `admitChunk`).
 * Everything else of the socket stays as Node has it: `pause()` stops reading and `resume()`
 * starts it again, the end of the stream (`end`, `close`), errors, timeouts and `bytesRead`.
 *
 * The option's state lives on the socket under symbols Node does not export; they are found once,
 * on a probe socket made with the option. Where they are not found (another runtime), nothing
 * changes and the socket is read as before.
 */

/** The socket's slots that Node's `onread` option fills (lib/net.js, internal/stream_base_commons.js). */
export interface ReadBufferSlots {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

/** Finds the slots on a socket made with the `onread` option; null when this runtime has other ones. */
export function findReadBufferSlots(): ReadBufferSlots | null {
  const probeBuffer = Buffer.alloc(1);
  const probeCallback = (): void => {};
  // The option is documented for net.connect(); the constructor takes it as well (lib/net.js).
  const probe = new Socket({ onread: { buffer: probeBuffer, callback: probeCallback } } as ConstructorParameters<typeof Socket>[0]);
  const own = probe as unknown as Record<symbol, unknown>;
  let buffer: symbol | null = null;
  let callback: symbol | null = null;
  let generator: symbol | null = null;
  for (const s of Object.getOwnPropertySymbols(probe)) {
    if (own[s] === probeBuffer) buffer = s;
    else if (own[s] === probeCallback) callback = s;
    else if (s.description === "kBufferGen") generator = s;
  }
  probe.destroy();
  return buffer && callback && generator ? { buffer, callback, generator } : null;
}

const SHARED_BYTES = 64 * 1024;
let slotsFound: ReadBufferSlots | null | undefined;
let shared: Buffer | null = null;

interface UserBufferHandle {
  useUserBuffer?: (buf: Uint8Array) => void;
}

export interface SharedReadOptions {
  /** Takes each read's bytes instead of the socket's `push`; false stops reading. */
  sink?: (chunk: Buffer) => boolean;
  /** For tests; by default the slots are found once. */
  slots?: ReadBufferSlots | null;
}

/**
 * Reads `socket` into the thread's shared buffer from now on; false (nothing changed) for a TLS
 * or non-TCP stream, a closed socket, or a runtime without the slots.
 */
export function readIntoSharedBuffer(socket: unknown, opts: SharedReadOptions = {}): boolean {
  let slots = opts.slots;
  if (!(socket instanceof Socket) || socket instanceof TLSSocket || socket.destroyed) return false;
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (!handle || typeof handle.useUserBuffer !== "function") return false;
  if (slots === undefined) {
    if (slotsFound === undefined) slotsFound = findReadBufferSlots();
    slots = slotsFound;
  }
  if (slots === null) return false;
  const buf = (shared ??= Buffer.allocUnsafeSlow(SHARED_BYTES));
  const own = socket as unknown as Record<symbol, unknown>;
  own[slots.buffer] = buf;
  own[slots.generator] = null;
  // Returning false stops reading, as Node does when push() asks for back-pressure.
  const sink = opts.sink ?? ((chunk: Buffer) => socket.push(chunk));
  own[slots.callback] = (nread: number, into: Buffer): boolean => {
    const chunk = Buffer.allocUnsafe(nread);
    into.copy(chunk, 0, 0, nread);
    return sink(chunk);
  };
  handle.useUserBuffer(buf);
  return true;
}
