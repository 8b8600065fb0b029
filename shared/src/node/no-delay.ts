/** What of an MQTT.js client this needs: its `connect` event and the stream of the connection. */
export interface StreamClient {
  on(event: "connect", listener: () => void): unknown;
  stream?: unknown;
}

/**
 * Turns Nagle's algorithm off on every connection an MQTT.js client makes (TCP and TLS; a
 * WebSocket's library does it itself). MQTT.js leaves it on: a small packet written while an
 * earlier one is unacknowledged (a result right after the PUBACK of its command) then waits for
 * the peer's delayed ACK, up to 40 ms on Linux (BENCHMARKS.md §4). Applied from the CONNACK on,
 * on every reconnection.
 */
export function keepNoDelay<C extends StreamClient>(client: C): C {
  client.on("connect", () => {
    const s = client.stream as { setNoDelay?: (on: boolean) => unknown } | undefined;
    if (typeof s?.setNoDelay === "function") s.setNoDelay(true);
  });
  return client;
}
