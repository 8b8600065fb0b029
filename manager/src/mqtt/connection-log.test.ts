import pino from "pino";
import { describe, expect, it } from "vitest";
import { createConnectionLog, STILL_DOWN_EVERY_MS } from "./connection-log.js";

const BUSY = "Connection refused: Server unavailable";
const REFUSED = "connect ECONNREFUSED 127.0.0.1:1883";

/** The helper on a clock the test moves, writing to a pino logger whose lines the test reads. */
function setup() {
  let t = 1_000_000;
  const lines: { level: number; msg: string; reason?: string; attempts?: number }[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[0]) });
  const conn = createConnectionLog({ log, now: () => t });
  const msgs = () => lines.map((l) => l.msg);
  /** One attempt a second that fails with `reason` (error, then close), `n` times. */
  const fail = (reason: string, n = 1) => {
    for (let i = 0; i < n; i++) {
      t += 1000;
      conn.failed(reason);
      conn.closed();
    }
  };
  const advance = (ms: number) => (t += ms);
  return { conn, lines, msgs, fail, advance };
}

describe("createConnectionLog", () => {
  it("says nothing when the first attempt connects", () => {
    const { conn, lines } = setup();
    conn.connected();
    expect(lines).toEqual([]);
  });

  it("logs a loss once with its reason, a busy broker once, then one summary per interval, then the return", () => {
    const { conn, lines, msgs, fail, advance } = setup();
    conn.connected();
    advance(5000);
    conn.failed("read ECONNRESET");
    conn.closed();
    fail(REFUSED, 3);
    fail(BUSY, 80);
    conn.connected();
    expect(msgs()).toEqual([
      "connection to the broker lost: read ECONNRESET",
      `unable to connect to the broker: ${REFUSED}`,
      `unable to connect to the broker: ${BUSY}`,
      `still unable to connect to the broker: ${BUSY}, 30 attempts in the last 30 s`,
      `still unable to connect to the broker: ${BUSY}, 30 attempts in the last 30 s`,
      "connected to the broker again after 84 attempts, 83.0 s",
    ]);
    expect(lines.map((l) => l.level)).toEqual([40, 40, 40, 40, 40, 30]);
    expect(lines[0]?.reason).toBe("read ECONNRESET");
    expect(lines[3]?.attempts).toBe(30);
  });

  it("keeps the summary interval a named constant of 30 s", () => {
    expect(STILL_DOWN_EVERY_MS).toBe(30_000);
  });

  it("logs a new reason at once, and not again when it comes back in the same outage", () => {
    const { conn, msgs, fail } = setup();
    conn.connected();
    conn.closed();
    fail(BUSY, 2);
    fail(REFUSED);
    fail(BUSY);
    fail(REFUSED);
    expect(msgs()).toEqual([
      "connection to the broker lost: connection closed",
      `unable to connect to the broker: ${BUSY}`,
      `unable to connect to the broker: ${REFUSED}`,
    ]);
  });

  it("counts the attempts from the last line and states the time they took", () => {
    const { conn, msgs, fail, advance } = setup();
    conn.connected();
    conn.closed();
    fail(BUSY);
    // Attempts slower than one a second (a connect timeout): the summary waits for the next one.
    for (let i = 0; i < 3; i++) {
      advance(13_000);
      fail(BUSY);
    }
    expect(msgs().slice(2)).toEqual([`still unable to connect to the broker: ${BUSY}, 3 attempts in the last 42 s`]);
  });

  it("logs the failures of the first connection and the connection when it comes", () => {
    const { conn, lines, msgs, fail } = setup();
    fail(BUSY, 2);
    conn.connected();
    expect(msgs()).toEqual([
      `unable to connect to the broker: ${BUSY}`,
      "connected to the broker after 3 attempts, 2.0 s",
    ]);
    expect(lines[1]?.attempts).toBe(3);
  });

  it("starts a new outage after a reconnect: its reasons are news again", () => {
    const { conn, msgs, fail } = setup();
    conn.connected();
    conn.closed();
    fail(BUSY);
    conn.connected();
    conn.closed();
    fail(BUSY);
    conn.connected();
    expect(msgs()).toEqual([
      "connection to the broker lost: connection closed",
      `unable to connect to the broker: ${BUSY}`,
      "connected to the broker again after 2 attempts, 1.0 s",
      "connection to the broker lost: connection closed",
      `unable to connect to the broker: ${BUSY}`,
      "connected to the broker again after 2 attempts, 1.0 s",
    ]);
  });

  it("takes the reason of the error that ended the connection, not one of an earlier attempt", () => {
    const { conn, msgs } = setup();
    conn.connected();
    conn.failed("Keepalive timeout");
    conn.closed();
    conn.connected();
    conn.closed();
    expect(msgs()).toEqual([
      "connection to the broker lost: Keepalive timeout",
      "connected to the broker again after 1 attempt, 0.0 s",
      "connection to the broker lost: connection closed",
    ]);
  });
});
