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
 * backlog; Linux caps it at net.core.somaxconn, 4,096 by default since 5.4; Node's default is
 * 511). After a restart with 10,000 boards (BENCHMARKS.md §4b) the queue is full for seconds:
 * with 511, the kernel drops further SYNs and boards wait out TCP's retransmit steps (1, 3, 7 s)
 * until their TCP connect timeout, then back off; with 4,096 they wait their turn in the queue,
 * which the broker drains while the agents wait up to 30 s for an established connection's
 * CONNACK (every board back 28 s after the kill against 36 s with 511, same build, when the
 * agents gave up any attempt after 10 s). With an earlier 5 s timeout the deeper queue was
 * worse: most of its connections had been given up by the time the broker read them.
 */
export const LISTEN_BACKLOG = 4096;

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
