import { describe, expect, it } from "vitest";
import { createSilenceWatch } from "./silence-watch.js";

function setup() {
  let t = 0;
  let tick: () => void = () => undefined;
  const pings: number[] = [];
  const w = createSilenceWatch({ ping: () => pings.push(t), now: () => t, setTimer: (fn) => (tick = fn), clearTimer: () => undefined });
  const at = (ms: number) => {
    while (t < ms) {
      t += 250;
      tick();
    }
  };
  return { w, pings, at, packetAt: (ms: number) => (at(ms), w.packet()) };
}

describe("createSilenceWatch", () => {
  it("pings after half a second of quiet and calls the link silent when the ping goes unanswered for 1.5 s", () => {
    const { w, pings, at } = setup();
    w.start();
    at(500);
    expect(pings).toEqual([500]);
    at(1750);
    expect(w.silent.value).toBe(false);
    at(2000);
    expect(w.silent.value).toBe(true);
  });

  it("any packet answers: traffic keeps it quiet, and a late answer clears the silence", () => {
    const { w, pings, at, packetAt } = setup();
    w.start();
    for (let ms = 250; ms <= 5000; ms += 250) packetAt(ms);
    expect(pings).toEqual([]);
    at(8000);
    expect(w.silent.value).toBe(true);
    w.packet();
    expect(w.silent.value).toBe(false);
    expect(pings).toHaveLength(1);
  });

  it("stop clears the flag and pings no more", () => {
    const { w, pings, at } = setup();
    w.start();
    at(3000);
    w.stop();
    expect(w.silent.value).toBe(false);
    expect(pings).toHaveLength(1);
  });
});
