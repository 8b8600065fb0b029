import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { REFUSED_BACKOFF_CAP_MS } from "@bbb/shared";
import { until } from "./helpers/until.js";
import { createConnection } from "../src/mqtt/connection.js";

/**
 * docs/protocol.md §"Liveness": the reconnect back-off doubles up to 30 s, but after a TCP
 * connection refused outright (nothing listening: a restarting server) its ceiling stays at
 * 4 s, so a board is back within seconds of a restart. A broker that takes the connection and
 * never answers (a connect timeout) still gets the full back-off.
 */
const BASE_MS = 1000;
// A tiny jitter factor keeps the test fast while the delays keep the ceiling's shape (r × ceiling).
const R = 0.001;

function delays() {
  const seen: { delay: number; refused: boolean }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split("\n")) {
        if (!line) continue;
        const l = JSON.parse(line) as { msg: string; delay?: number; refused?: boolean };
        if (l.msg === "reconnect scheduled" && l.delay !== undefined) seen.push({ delay: l.delay, refused: l.refused === true });
      }
      cb();
    },
  });
  return { log: pino({ level: "debug" }, stream), seen };
}

describe("agent reconnect back-off", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const link = (url: string, log: pino.Logger) => {
    const conn = createConnection({
      urls: [url],
      boardId: "a0f6fd000098",
      token: "t",
      keepaliveS: 2,
      topicRoot: "bbb",
      session: "s-backoff",
      connect: mqtt.connect,
      clock: { now: () => Date.now() },
      log,
      random: () => R,
      backoff: { baseMs: BASE_MS, capMs: 30_000 },
      connectTimeoutMs: 150,
    });
    cleanups.push(() => conn.stop());
    return conn;
  };

  it("holds the ceiling at 4 s while the port refuses connections", async () => {
    // A port that was free a moment ago: connections to it are refused.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { log, seen } = delays();
    link(`mqtt://127.0.0.1:${port}`, log).start();
    await until(() => seen.length >= 7, 10_000);
    expect(seen.every((s) => s.refused)).toBe(true);
    const ceilings = seen.slice(0, 7).map((s) => s.delay / R);
    // 1, 2, 4 s, then held at 4 s (uncapped: 8, 16, 30, 30 s).
    expect(ceilings.map((c) => Math.round(c / 1000))).toEqual([1, 2, 4, 4, 4, 4, 4]);
    expect(Math.max(...ceilings)).toBeLessThanOrEqual(REFUSED_BACKOFF_CAP_MS);
  });

  it("doubles up to the full ceiling when the broker takes the connection and never answers", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          silent.close(() => r());
        }),
    );
    const port = (silent.address() as AddressInfo).port;
    const { log, seen } = delays();
    link(`mqtt://127.0.0.1:${port}`, log).start();
    await until(() => seen.length >= 6, 10_000);
    expect(seen.some((s) => s.refused)).toBe(false);
    expect(seen.slice(0, 6).map((s) => Math.round(s.delay / R / 1000))).toEqual([1, 2, 4, 8, 16, 30]);
  });
});
