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

/** Remembers the open connections of a server so stop() can end those that never sent CONNECT too. */
export function trackConnections(server: Server, event: "connection" | "secureConnection" = "connection") {
  const sockets = new Set<Socket>();
  server.on(event, (socket: Socket) => {
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
