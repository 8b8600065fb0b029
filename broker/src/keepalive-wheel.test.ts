import { describe, expect, it } from "vitest";
import { createKeepaliveWheel, type KeepaliveClient } from "./keepalive-wheel.js";

/**
 * A wheel on a hand-driven clock: `advance` runs the interval for every tick it passes, each
 * followed by the loop's I/O phase (nothing read) and the deferred expiry check; `stall` makes
 * the loop late by `ms` and runs one tick, then `io` (packets read), then the check.
 */
function rig(tickMs = 100) {
  let t = 1_000_000;
  let fn: (() => void) | null = null;
  let deferred: (() => void)[] = [];
  const wheel = createKeepaliveWheel({
    now: () => t,
    tickMs,
    setInterval: (f) => {
      fn = f;
      return {};
    },
    clearInterval: () => {
      fn = null;
    },
    afterIo: (f) => deferred.push(f),
  });
  wheel.start();
  const checks = () => {
    const list = deferred;
    deferred = [];
    for (const f of list) f();
  };
  return {
    wheel,
    now: () => t,
    advance(ms: number) {
      for (let left = ms; left > 0; left -= Math.min(tickMs, left)) {
        t += Math.min(tickMs, left);
        fn?.();
        checks();
      }
    },
    stall(ms: number, io: () => void) {
      t += ms;
      fn?.();
      io();
      checks();
    },
    running: () => fn !== null,
  };
}

/** What Aedes' connect handler leaves on a client: the interval and a refreshable timer. */
function client(keepaliveS: number) {
  const events: { what: string }[] = [];
  const c: KeepaliveClient & { events: typeof events } = {
    closed: false,
    _keepaliveInterval: keepaliveS * 1500 + 1,
    _keepaliveTimer: { refresh: () => undefined },
    emit: (_e, err) => events.push({ what: err.message }),
    broker: { emit: (e) => events.push({ what: e }) },
    events,
  };
  return c;
}

describe("keepalive wheel", () => {
  it("expires a silent client at 1.5 × keepalive, never before and at most one tick after (MQTT-3.1.2-24)", () => {
    const r = rig();
    const c = client(2);
    expect(r.wheel.track(c)).toBe(true);
    const start = r.now();
    r.advance(3000);
    expect(c.events).toEqual([]);
    r.advance(100);
    expect(c.events.map((e) => e.what)).toEqual(["keepaliveTimeout", "keep alive timeout"]);
    expect(r.now() - start).toBeLessThanOrEqual(3001 + 100);
    expect(r.wheel.size()).toBe(0);
  });

  it("keeps a client that sends a packet within each period, and expires it 1.5 × keepalive after its last one", () => {
    const r = rig();
    const c = client(2);
    r.wheel.track(c);
    const entry = c._keepaliveTimer as { refresh(): void };
    for (let i = 0; i < 20; i++) {
      r.advance(1000);
      entry.refresh();
    }
    expect(c.events).toEqual([]);
    const last = r.now();
    r.advance(3000);
    expect(c.events).toEqual([]);
    r.advance(100);
    expect(c.events).toHaveLength(2);
    expect(r.now() - last).toBeLessThanOrEqual(3001 + 100);
  });

  it("after a stall of its own thread, keeps the clients whose packets waited in the socket buffers and expires the silent ones", () => {
    const r = rig();
    const spoke = client(2);
    const silent = client(2);
    r.wheel.track(spoke);
    r.wheel.track(silent);
    r.advance(1000);
    // The loop is 5 s late: both look silent at the tick; the I/O phase that follows reads the
    // heartbeat that `spoke` sent during the stall.
    r.stall(5000, () => (spoke._keepaliveTimer as { refresh(): void }).refresh());
    expect(spoke.events).toEqual([]);
    expect(silent.events.map((e) => e.what)).toEqual(["keepaliveTimeout", "keep alive timeout"]);
    expect(r.wheel.size()).toBe(1);
    // Still watched: it expires 1.5 × keepalive after the packet read, not before.
    r.advance(3000);
    expect(spoke.events).toEqual([]);
    r.advance(100);
    expect(spoke.events).toHaveLength(2);
    expect(r.wheel.size()).toBe(0);
  });

  it("drops closed clients without expiring them, and leaves clients without keepalive alone", () => {
    const r = rig();
    const gone = client(1);
    r.wheel.track(gone);
    gone.closed = true;
    gone._keepaliveTimer = null;
    const none = client(0);
    none._keepaliveInterval = -1;
    expect(r.wheel.track(none)).toBe(false);
    expect(none._keepaliveTimer).not.toBeNull();
    r.advance(5000);
    expect(gone.events).toEqual([]);
    expect(r.wheel.size()).toBe(0);
  });

  it("cancels the client's own Node timer; clearTimeout of the entry (Aedes' close) is harmless", async () => {
    const r = rig();
    const c = client(1);
    let fired = false;
    const real = setTimeout(() => (fired = true), 5);
    c._keepaliveTimer = real;
    expect(r.wheel.track(c)).toBe(true);
    expect(c._keepaliveTimer).not.toBe(real);
    clearTimeout(c._keepaliveTimer as NodeJS.Timeout);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toBe(false);
  });

  it("many clients at different phases: each expires in the first tick at or after its own deadline", () => {
    const tick = 50;
    const r = rig(tick);
    const cs = Array.from({ length: 100 }, () => client(1));
    const due: number[] = [];
    for (const c of cs) {
      r.wheel.track(c);
      due.push(r.now() + c._keepaliveInterval);
      r.advance(7);
    }
    for (let step = 0; step < 80; step++) {
      r.advance(tick);
      for (const [i, c] of cs.entries()) {
        const d = due[i] ?? 0;
        if (c.events.length > 0) expect(r.now()).toBeGreaterThanOrEqual(d);
        if (r.now() >= d + tick) expect(c.events).toHaveLength(2);
      }
    }
    expect(cs.every((c) => c.events.length === 2)).toBe(true);
    r.wheel.stop();
    expect(r.running()).toBe(false);
  });
});
