import * as net from "node:net";
import * as tls from "node:tls";
import { Duplex } from "node:stream";
import { MqttClient, type IClientOptions } from "mqtt";
import type { ConnectFn } from "../mqtt/connection.js";

/**
 * Fault injection for simulated boards, below MQTT.js: every connection goes through a gate
 * that can drop the link (`cut`: the broker sees a FIN and fires the will), freeze it (a hung
 * process: nothing read or written, the socket left open so the broker must notice by keepalive),
 * or refuse new connections (`dead`: a killed board).
 */
export function createGate() {
  let frozen = false;
  let dead = false;
  let raw: net.Socket | null = null;
  const orphans: net.Socket[] = [];

  class Gated extends Duplex {
    constructor(private readonly sock: net.Socket) {
      super();
      sock.on("data", (d: Buffer) => {
        if (!frozen && !this.push(d)) sock.pause();
      });
      sock.on("end", () => this.push(null));
      sock.on("close", () => this.destroy());
      sock.on("error", (e) => this.destroy(e));
    }
    override _read() {
      this.sock.resume();
    }
    override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void) {
      if (frozen) return cb();
      this.sock.write(chunk, (e) => cb(e ?? null));
    }
    override _destroy(err: Error | null, cb: (e: Error | null) => void) {
      // A frozen board's socket stays open: its kernel still holds it, only the process hangs.
      if (frozen) orphans.push(this.sock);
      else this.sock.destroy();
      if (raw === this.sock) raw = null;
      cb(err);
    }
  }

  /** A stream that never answers: connecting while frozen or dead. */
  const blackHole = () =>
    new Duplex({
      read() {},
      write(_c, _e, cb) {
        cb();
      },
    });

  const connect: ConnectFn = (url, opts: IClientOptions) => {
    const u = new URL(url);
    const secure = u.protocol === "mqtts:" || u.protocol === "tls:";
    const port = Number(u.port || (secure ? 8883 : 1883));
    return new MqttClient(
      () => {
        if (dead || frozen) {
          const s = blackHole();
          if (dead) setImmediate(() => s.destroy(new Error("simulated board is down")));
          return s;
        }
        const sock = secure
          ? tls.connect({ host: u.hostname, port, ca: opts.ca, servername: u.hostname })
          : net.connect({ host: u.hostname, port, noDelay: true });
        raw = sock;
        return new Gated(sock);
      },
      { ...opts, protocol: secure ? "mqtts" : "mqtt" },
    );
  };

  return {
    connect,
    /** Drops the current link abruptly (network glitch); the agent reconnects by itself. */
    cut() {
      raw?.destroy();
    },
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const s of orphans.splice(0)) s.destroy();
    },
    /** A killed board: link dropped, nothing more gets through. */
    kill() {
      dead = true;
      raw?.destroy();
    },
    revive() {
      dead = false;
    },
    close() {
      raw?.destroy();
      for (const s of orphans.splice(0)) s.destroy();
    },
  };
}
export type Gate = ReturnType<typeof createGate>;
