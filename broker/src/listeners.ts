import type { AddressInfo, Server, Socket } from "node:net";

/** Listens and resolves with the real port (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
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
