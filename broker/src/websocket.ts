import type { IncomingMessage } from "node:http";
import type http from "node:http";
import type https from "node:https";
import type { Duplex } from "node:stream";
import type pino from "pino";
import { protocolDecoder } from "aedes-protocol-decoder";
import { WebSocketServer, createWebSocketStream, type WebSocket } from "ws";
import type { ConnectionRequest } from "./listeners.js";

export interface WebSocketDeps {
  log: pino.Logger;
  maxPacketBytes: number;
  /** Client address from X-Forwarded-For / X-Real-IP (aedes-server-factory's decoder); see BrokerDeps. */
  trustProxy: boolean;
  /** Hands a connection to the broker; false when the broker is not running. */
  accept: (stream: Duplex, req: IncomingMessage, address: string) => boolean;
  onFrameTooLarge: (address: string, limit: number) => void;
}

/**
 * MQTT over WebSocket on an HTTP server the caller owns (docs/protocol.md §"Ports": path /mqtt on
 * the HTTP port). Only upgrades for our path are taken; others are left to their own listeners.
 * Not built by aedes-server-factory: docs/architecture.md §"Broker listeners" says why.
 */
export function createWebSocketGateway(deps: WebSocketDeps) {
  // One MQTT packet usually travels in one frame; the MQTT framing guard behind it sees the
  // exact packet size, this bound only keeps a single frame from being buffered unbounded.
  const maxPayload = deps.maxPacketBytes + 4096;
  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: true });
  const detachers: (() => void)[] = [];
  const attached = new Map<http.Server | https.Server, Set<string>>();

  /** The factory's decoder, as its own WebSocket listener would call it (no PROXY header on HTTP). */
  function clientAddress(stream: Duplex, req: ConnectionRequest): string {
    if (deps.trustProxy) {
      req.connDetails = protocolDecoder(Object.assign(stream, { _socket: req.socket }), Buffer.alloc(0), req);
      if (req.connDetails.ipAddress) return req.connDetails.ipAddress;
    }
    return req.socket?.remoteAddress ?? "unknown";
  }

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const stream = createWebSocketStream(ws);
    const address = clientAddress(stream, req);
    ws.on("error", (err: Error & { code?: string }) => {
      if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") deps.onFrameTooLarge(address, maxPayload);
      else deps.log.debug({ err, address }, "websocket error");
    });
    if (!deps.accept(stream, req, address)) ws.terminate();
  }

  return {
    attach(server: http.Server | https.Server, path: string): void {
      // Attaching one path twice would hand each upgrade to two handlers.
      const paths = attached.get(server) ?? new Set<string>();
      if (paths.has(path)) return;
      paths.add(path);
      attached.set(server, paths);
      const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const url = req.url ?? "";
        const q = url.indexOf("?");
        if ((q < 0 ? url : url.slice(0, q)) !== path) return;
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
      };
      server.on("upgrade", onUpgrade);
      detachers.push(() => {
        server.off("upgrade", onUpgrade);
        attached.get(server)?.delete(path);
      });
    },
    /** Closes every MQTT-over-WebSocket connection; attached servers keep their listeners until detach(). */
    closeAll(): void {
      for (const ws of wss.clients) ws.terminate();
    },
    detach(): void {
      for (const d of detachers.splice(0)) d();
      wss.close();
    },
  };
}
