import type { Duplex } from "node:stream";
import type pino from "pino";
import { sliceOf, type FromWorker, type ToWorker } from "./messages.js";

type ConnItem = Exclude<Extract<ToWorker, { c: number }>, { k: "conn-data" }> | { k: "conn-data"; c: number; bytes: Uint8Array };
/** What the broker's thread says about a carried connection. */
export type ConnMessage = Extract<FromWorker, { c: number }>;

/**
 * The owner's side of connections carried to the broker's thread (MQTT over WebSocket arrives
 * on the HTTP server's thread); the broker's side is bridged-conn.ts. Backpressure both ways:
 * the broker's slow reading pauses the socket here, and a full socket here holds the broker's
 * writes until it drains (one hold per fill).
 */
export function createConnectionBridge(deps: { send: (item: ConnItem) => void; log: pino.Logger }) {
  const conns = new Map<number, Duplex>();
  const held = new Set<number>();
  let next = 1;

  return {
    /** Carries a connection over; its bytes, end and pauses go through `send`. */
    open(stream: Duplex, address: string): void {
      const c = next++;
      conns.set(c, stream);
      deps.send({ k: "conn-open", c, address });
      stream.on("data", (chunk: Buffer) => deps.send({ k: "conn-data", c, bytes: chunk }));
      const closed = () => {
        held.delete(c);
        if (conns.delete(c)) deps.send({ k: "conn-end", c });
      };
      stream.once("end", closed);
      stream.once("close", closed);
      stream.on("error", (err) => deps.log.debug({ err, address }, "bridged connection error"));
    },

    /** What the broker's thread said about a connection. */
    handle(m: ConnMessage, bytes: ArrayBuffer | null): void {
      switch (m.k) {
        case "conn-data": {
          const s = conns.get(m.c);
          if (s && !s.write(sliceOf(bytes, m)) && !held.has(m.c)) {
            held.add(m.c);
            deps.send({ k: "conn-pause", c: m.c });
            s.once("drain", () => {
              held.delete(m.c);
              deps.send({ k: "conn-resume", c: m.c });
            });
          }
          return;
        }
        case "conn-end":
          conns.get(m.c)?.end();
          conns.delete(m.c);
          held.delete(m.c);
          return;
        case "conn-pause":
          conns.get(m.c)?.pause();
          return;
        case "conn-resume":
          conns.get(m.c)?.resume();
          return;
      }
    },

    /** The broker's thread is gone: every carried connection ends. */
    destroyAll(): void {
      for (const s of conns.values()) s.destroy();
      conns.clear();
      held.clear();
    },
  };
}
