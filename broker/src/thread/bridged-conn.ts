import { Duplex } from "node:stream";

/** What a bridged connection sends to the thread that holds its real socket. */
export interface BridgeSend {
  data(bytes: Uint8Array): void;
  end(): void;
  /** The broker reads slower than the socket delivers: stop reading it / read it again. */
  pause(): void;
  resume(): void;
}

/**
 * A connection whose socket lives on another thread (MQTT over WebSocket arrives on the HTTP
 * server's thread): bytes come in with feed(), go out through `send`. Both directions keep
 * backpressure: reading stops while the broker has not taken what came in, and writes wait
 * while the other thread's socket is full (hold/release), so a slow client's drain timeout
 * works as it does for a socket of the broker's own.
 */
export class BridgedConn extends Duplex {
  readonly remoteAddress: string;
  private paused = false;
  private held = false;
  private waiting: (() => void) | null = null;
  private ended = false;

  constructor(
    address: string,
    private readonly send: BridgeSend,
  ) {
    super({ allowHalfOpen: false });
    this.remoteAddress = address;
  }

  /** Bytes the client sent. */
  feed(bytes: Buffer): void {
    if (this.destroyed) return;
    if (!this.push(bytes) && !this.paused) {
      this.paused = true;
      this.send.pause();
    }
  }

  /** The client's side ended or its socket closed. */
  finish(): void {
    this.ended = true;
    if (!this.destroyed) this.push(null);
    this.destroy();
  }

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    const cb = this.waiting;
    this.waiting = null;
    cb?.();
  }

  override _read(): void {
    if (this.paused) {
      this.paused = false;
      this.send.resume();
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.send.data(chunk);
    if (this.held) this.waiting = () => cb();
    else cb();
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this._write(Buffer.concat(chunks.map((c) => c.chunk)), "binary", cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.ended) this.send.end();
    this.ended = true;
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.ended) this.send.end();
    this.ended = true;
    const w = this.waiting;
    this.waiting = null;
    w?.();
    cb(err);
  }
}
