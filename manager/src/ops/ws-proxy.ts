import type { IncomingMessage, Server } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import type { Logger } from "pino";

export interface WsProxyOptions {
  /** ws:// or wss:// URL of the broker tier's MQTT-over-WebSocket endpoint. */
  target: string;
  /** Path on this server whose upgrades are forwarded (MQTT_WS_PATH). */
  path: string;
  log: Logger;
  /** CA for a wss:// target with a private CA. */
  ca?: string | Buffer;
  connectTimeoutMs?: number;
}

const HOP_BY_HOP = new Set(["host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"]);

/**
 * Role `manager` (docs/configuration.md `mqttWsUrl`): the dashboard reaches MQTT over WebSocket on
 * the manager's HTTP port, and the manager forwards those upgrades to the broker tier. The
 * upgrade request is re-sent with the target's Host and X-Forwarded-For; after it, bytes are
 * piped both ways untouched (the broker's 101 answer, then WebSocket frames), so the broker
 * authenticates the MQTT CONNECT as usual. Returns the function that detaches it.
 */
export function attachWsProxy(server: Server, opts: WsProxyOptions): () => void {
  const log = opts.log.child({ module: "ws-proxy" });
  const url = new URL(opts.target);
  const secure = url.protocol === "wss:";
  const port = Number(url.port || (secure ? 443 : 80));
  const targetPath = `${url.pathname || "/"}${url.search}`;
  const sockets = new Set<Duplex>();

  const onUpgrade = (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== opts.path) return;
    const upstream: net.Socket = secure
      ? tls.connect({ host: url.hostname, port, servername: url.hostname, ...(opts.ca ? { ca: opts.ca } : {}) })
      : net.connect({ host: url.hostname, port });
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // Before the broker answered, the client gets an HTTP error rather than a dropped connection.
    const fail = (status: string) => {
      upstream.destroy();
      if (upstream.bytesRead === 0 && client.writable) client.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      else close();
    };
    upstream.setTimeout(opts.connectTimeoutMs ?? 10_000, () => {
      log.warn({ target: opts.target }, "broker WebSocket endpoint did not answer");
      fail("504 Gateway Timeout");
    });
    upstream.once(secure ? "secureConnect" : "connect", () => {
      upstream.setTimeout(0);
      const lines = [`${req.method ?? "GET"} ${targetPath} HTTP/1.1`, `Host: ${url.host}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i] ?? "";
        if (!HOP_BY_HOP.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1] ?? ""}`);
      }
      const peer = req.socket.remoteAddress ?? "";
      const prior = req.headers["x-forwarded-for"];
      lines.push(`X-Forwarded-For: ${prior ? `${String(prior)}, ${peer}` : peer}`);
      upstream.write(lines.join("\r\n") + "\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", (err: Error) => {
      log.warn({ err, target: opts.target }, "broker WebSocket endpoint unreachable");
      fail("502 Bad Gateway");
    });
    upstream.on("close", () => (upstream.bytesRead > 0 ? close() : fail("502 Bad Gateway")));
    client.on("error", close);
    client.on("close", close);
  };

  server.on("upgrade", onUpgrade);
  return () => {
    server.off("upgrade", onUpgrade);
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
}
