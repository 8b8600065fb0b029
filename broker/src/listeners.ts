import type { IncomingMessage } from "node:http";
import type { AddressInfo, Server, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TlsOptions } from "node:tls";
import type { Aedes } from "aedes";
import type { ConnectionDetails } from "aedes-protocol-decoder";
import { createServer } from "aedes-server-factory";

/** A connection's request as Aedes keeps it (`client.req`): the factory adds the decoded client address. */
export type ConnectionRequest = Partial<IncomingMessage> & { connDetails?: ConnectionDetails };

/**
 * What the listeners hand connections to, in place of `aedes.handle`: the broker's accept()
 * (size guard, write batching, then Aedes). `emit` receives a socket error that happened while
 * a PROXY header was still awaited.
 */
export interface ConnectionSink {
  handle(conn: Duplex, req: ConnectionRequest): void;
  emit(event: "error", err: Error): void;
}

/**
 * An MQTT listener (TCP, or TLS with `tls`) built by aedes-server-factory, so that with
 * `trustProxy` a PROXY protocol v1/v2 header sets the client address (docs/architecture.md
 * §"Broker listeners"). TCP_NODELAY on every raw socket, TLS included: Nagle's algorithm held
 * back small MQTT packets, and turning it off cut p99 from ~30 ms to ~1 ms.
 */
export function createMqttServer(sink: ConnectionSink, opts: { tls?: TlsOptions; trustProxy: boolean }): Server {
  const server = createServer(sink as unknown as Aedes, {
    trustProxy: opts.trustProxy,
    ...(opts.tls ? { tls: opts.tls } : {}),
  });
  server.on("connection", (socket: Socket) => socket.setNoDelay(true));
  return server;
}

/**
 * Connections the kernel completes and holds for the broker before it accepts them (the listen
 * backlog; Node's default, kept on purpose). A deeper queue was measured worse in a restart
 * with 10,000 boards (BENCHMARKS.md §4b): at the broker's accept rate, 4,096 queued connections
 * wait longer than a board's connect timeout, so most of them were abandoned by the time the
 * broker read their CONNECT. With 511, a board the queue cannot take has its SYN retried by
 * the kernel and gets in while it still waits for the answer.
 */
export const LISTEN_BACKLOG = 511;

/** Listens and resolves with the real port (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Remembers the open connections of a server so stop() can end those that never sent CONNECT
 * (or, on TLS, never finished the handshake) too: 'connection' is the raw socket on both.
 */
export function trackConnections(server: Server) {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return {
    destroyAll(): void {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}
