/** The part of an MQTT.js client this needs: its transport stream (a net.Socket or tls.TLSSocket). */
export interface HasStream {
  stream: unknown;
}

/** Whether the client's TCP connection is still being established (net.Socket's `connecting`). */
export function transportPending(c: HasStream): boolean {
  return (c.stream as { connecting?: unknown } | null | undefined)?.connecting === true;
}

/**
 * Gives up on an attempt whose TCP connection is not established within `ms`
 * (AGENT_TCP_CONNECT_TIMEOUT_MS, docs/protocol.md §"Liveness"): the stream is destroyed, so
 * MQTT.js emits `close` and the usual back-off follows. Once the connection is established, only
 * MQTT.js's CONNACK timeout (AGENT_CONNECT_TIMEOUT_MS) applies: a broker that answered is busy,
 * not gone. A transport without `connecting` (WebSocket) is left to the CONNACK timeout.
 * Returns the cancel function; the timer never holds the process open.
 */
export function watchTransport(c: HasStream, ms: number, onTimeout: () => void): () => void {
  const t = setTimeout(() => {
    if (!transportPending(c)) return;
    onTimeout();
    (c.stream as { destroy?: (e?: Error) => void }).destroy?.();
  }, ms);
  t.unref();
  return () => clearTimeout(t);
}
