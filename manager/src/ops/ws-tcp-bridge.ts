import type { Server } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { createWebSocketGateway } from "@bbb/broker";
import { MAX_PACKET_BYTES } from "@bbb/shared";
import type { Logger } from "pino";

export interface WsTcpBridgeOptions {
  /** mqtt:// or mqtts:// URL of the external broker (BBB_MQTT_URL). */
  target: string;
  /** Path on this server whose upgrades are bridged (MQTT_WS_PATH). */
  path: string;
  log: Logger;
  /** CA for an mqtts:// target with a private CA. */
  ca?: string | Buffer;
  /** Client address from X-Forwarded-For (docs/configuration.md `trustProxy`), for the logs. */
  trustProxy?: boolean;
}

/**
 * docs/deployment.md §"An existing MQTT broker": the dashboard keeps connecting to `/mqtt` on the
 * manager's HTTP port; with an external broker that offers no WebSocket listener (Debian's
 * mosquitto 2.0.11 will not open one), each WebSocket's binary frames are carried as plain
 * bytes to the broker's TCP port, one TCP connection per WebSocket. The broker authenticates
 * the MQTT CONNECT itself. Returns the function that detaches it and closes every bridged pair.
 */
export function attachWsTcpBridge(server: Server, opts: WsTcpBridgeOptions): () => void {
  const log = opts.log.child({ module: "ws-tcp-bridge" });
  const url = new URL(opts.target);
  const secure = url.protocol === "mqtts:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || (secure ? 8883 : 1883));
  const open = new Set<net.Socket>();

  const gateway = createWebSocketGateway({
    log,
    trustProxy: opts.trustProxy ?? false,
    maxPacketBytes: MAX_PACKET_BYTES,
    onFrameTooLarge: (address, limit) => log.warn({ address, limit }, "websocket frame too large, connection closed"),
    accept(stream: Duplex, _req, address: string): boolean {
      const upstream: net.Socket = secure
        ? tls.connect({ host, port, servername: host, ...(opts.ca ? { ca: opts.ca } : {}) })
        : net.connect({ host, port });
      open.add(upstream);
      const close = () => {
        open.delete(upstream);
        upstream.destroy();
        stream.destroy();
      };
      upstream.on("error", (err: Error) => {
        log.warn({ err: err.message, address, target: `${host}:${port}` }, "external broker unreachable");
        close();
      });
      stream.on("error", close);
      upstream.on("close", close);
      stream.on("close", close);
      stream.pipe(upstream);
      upstream.pipe(stream);
      return true;
    },
  });
  gateway.attach(server, opts.path);
  return () => {
    gateway.closeAll();
    gateway.detach();
    for (const s of open) s.destroy();
    open.clear();
  };
}
