import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { Duplex } from "node:stream";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "./helpers/until.js";
import { createConnection, type ConnectFn } from "../src/mqtt/connection.js";

/**
 * docs/protocol.md §"Liveness": an attempt whose TCP connection is not established within the
 * TCP timeout is given up (nothing answers there), while an established connection waits for
 * the CONNACK up to the longer connect timeout (a busy broker, not a dead one).
 */

/** A transport whose TCP handshake never completes (a SYN nobody answers): `connecting` stays true. */
class HangingSocket extends Duplex {
  connecting = true;
  destroyedAt: number | null = null;
  override _read(): void {}
  override _write(_c: Buffer, _e: BufferEncoding, cb: (e?: Error | null) => void): void {
    // Written bytes wait in the kernel until the handshake completes: they never go out.
    cb();
  }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.destroyedAt = Date.now();
    cb(err);
  }
}

describe("agent connect timeouts", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const link = (url: string, connect: ConnectFn, timeouts: { tcp: number; connack: number }) => {
    const conn = createConnection({
      urls: [url],
      boardId: "a0f6fd000097",
      token: "t",
      keepaliveS: 2,
      topicRoot: "bbb",
      session: "s-timeouts",
      connect,
      clock: { now: () => Date.now() },
      log: pino({ level: "silent" }),
      // The first retry waits 5 s: each test sees exactly one attempt.
      random: () => 0.999,
      backoff: { baseMs: 5000, capMs: 30_000 },
      connectTimeoutMs: timeouts.connack,
      tcpConnectTimeoutMs: timeouts.tcp,
    });
    cleanups.push(() => conn.stop());
    return conn;
  };

  it("gives up on an attempt whose TCP connection is never established, at the TCP timeout", async () => {
    const sockets: HangingSocket[] = [];
    const connect: ConnectFn = (_url: string, opts: IClientOptions): MqttClient => {
      const client = new mqtt.MqttClient(() => {
        const s = new HangingSocket();
        sockets.push(s);
        return s;
      }, opts);
      client.on("error", () => undefined);
      return client;
    };
    const t0 = Date.now();
    link("mqtt://192.0.2.1:1883", connect, { tcp: 150, connack: 20_000 }).start();
    await until(() => sockets[0]?.destroyedAt != null, 5000);
    const after = (sockets[0]?.destroyedAt ?? 0) - t0;
    expect(after).toBeGreaterThanOrEqual(140);
    // Long before the CONNACK timeout (20 s).
    expect(after).toBeLessThan(3000);
    expect(sockets).toHaveLength(1);
  });

  it("keeps an established connection waiting for the CONNACK past the TCP timeout", async () => {
    // A real listener that takes the connection and never answers: a broker busy elsewhere.
    const opened: number[] = [];
    const closed: number[] = [];
    const server = net.createServer((s) => {
      opened.push(Date.now());
      // Read (and ignore) the CONNECT, so the client's close is seen.
      s.resume();
      s.on("close", () => closed.push(Date.now()));
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    link(`mqtt://127.0.0.1:${port}`, mqtt.connect, { tcp: 100, connack: 900 }).start();
    await until(() => closed.length >= 1, 5000);
    const held = (closed[0] ?? 0) - (opened[0] ?? 0);
    // Not cut at 100 ms: the attempt lasted until the CONNACK timeout (900 ms from its start).
    expect(held).toBeGreaterThanOrEqual(700);
    expect(held).toBeLessThan(3000);
    expect(opened).toHaveLength(1);
  });
});
