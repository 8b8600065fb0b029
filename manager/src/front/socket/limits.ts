/** Bounds of the TCP command socket (nothing a client sends reaches an unbounded buffer). */
export interface RpcSocketLimits {
  /** Longest accepted line; a longer one is answered with a parse error and discarded. */
  maxLineBytes: number;
  /** Unsent bytes a client may have queued; beyond it the client is slow or dead and is dropped. */
  maxBufferedBytes: number;
  /** Time a new connection has to authenticate. */
  authTimeoutMs: number;
  /** Inactivity after which an authenticated connection is closed; 0 = never (watchers are quiet). */
  idleTimeoutMs: number;
  /** Lines read but not yet answered before the socket stops reading (back-pressure on pipelining). */
  maxPendingLines: number;
  /** Largest batch (array) request. */
  maxBatch: number;
  /** Failed `auth` calls on one connection before it is closed. */
  maxAuthFailures: number;
  maxConnections: number;
}

export const DEFAULT_SOCKET_LIMITS: RpcSocketLimits = {
  maxLineBytes: 1024 * 1024,
  maxBufferedBytes: 4 * 1024 * 1024,
  authTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  maxPendingLines: 64,
  maxBatch: 100,
  maxAuthFailures: 5,
  maxConnections: 2000,
};
