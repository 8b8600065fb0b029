import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";

/** A real TCP connection on 127.0.0.1: the accepted side (what the broker reads) and the sender's. */
export interface TcpPair {
  server: Server;
  conn: Socket;
  peer: Socket;
}

const opened: TcpPair[] = [];

/** Opens a pair (the sender with Nagle off); `closeTcpPairs` closes every pair opened since. */
export async function openTcpPair(): Promise<TcpPair> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const accepted = once(server, "connection");
  const peer = connect((server.address() as { port: number }).port, "127.0.0.1");
  peer.setNoDelay(true);
  const [conn] = (await accepted) as [Socket];
  const p = { server, conn, peer };
  opened.push(p);
  return p;
}

export function closeTcpPairs(): void {
  for (const p of opened.splice(0)) {
    p.peer.destroy();
    p.conn.destroy();
    p.server.close();
  }
}

/** Waits until `cond` holds, polling every 5 ms; throws after `ms`. */
export async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}
