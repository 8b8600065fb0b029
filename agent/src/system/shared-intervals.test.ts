import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSharedIntervals } from "./shared-intervals.js";

describe("createSharedIntervals", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs intervals of the same period from one timer, in the same tick", () => {
    const iv = createSharedIntervals();
    const ticks: string[] = [];
    iv.set(() => ticks.push(`a@${Date.now()}`), 1000);
    vi.advanceTimersByTime(300);
    iv.set(() => ticks.push(`b@${Date.now()}`), 1000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1700);
    const t0 = ticks[0]!.split("@")[1];
    // b joined 300 ms in: its first tick is the group's next one (700 ms later), then every 1000.
    expect(ticks).toEqual([`a@${t0}`, `b@${t0}`, `a@${Number(t0) + 1000}`, `b@${Number(t0) + 1000}`]);
  });

  it("keeps other periods on their own timers and stops a timer with its last member", () => {
    const iv = createSharedIntervals();
    const fast = vi.fn();
    const slow = vi.fn();
    const a = iv.set(fast, 1000);
    const b = iv.set(slow, 5000);
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(5000);
    expect(fast).toHaveBeenCalledTimes(5);
    expect(slow).toHaveBeenCalledTimes(1);
    iv.clear(a);
    iv.clear(a);
    expect(vi.getTimerCount()).toBe(1);
    iv.clear(b);
    iv.clear(null);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(fast).toHaveBeenCalledTimes(5);
  });

  it("lets a member clear and re-add itself from its callback (MQTT.js reschedules that way)", () => {
    const iv = createSharedIntervals();
    const other = vi.fn();
    iv.set(other, 1000);
    let count = 0;
    let id = 0;
    const member = () => {
      count++;
      iv.clear(id);
      id = iv.set(member, 1000);
    };
    id = iv.set(member, 1000);
    vi.advanceTimersByTime(3000);
    expect(count).toBe(3);
    expect(other).toHaveBeenCalledTimes(3);
    expect(vi.getTimerCount()).toBe(1);
  });

  it("runs a member cleared by an earlier one in the same tick no more", () => {
    const iv = createSharedIntervals();
    const second = vi.fn();
    let secondId = 0;
    iv.set(() => iv.clear(secondId), 1000);
    secondId = iv.set(second, 1000);
    vi.advanceTimersByTime(2000);
    expect(second).not.toHaveBeenCalled();
  });

  it("runs multiples of the base period on the base timer, each at its own period", () => {
    const iv = createSharedIntervals(1000);
    const beat = vi.fn();
    const poll = vi.fn();
    const hourly = vi.fn();
    const odd = vi.fn();
    const b = iv.set(beat, 1000);
    const p = iv.set(poll, 5000);
    iv.set(hourly, 3_600_000);
    iv.set(odd, 1500);
    // 1000, 5000 and 3,600,000 share one timer; 1500 is no multiple and keeps its own.
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(10_000);
    expect(beat).toHaveBeenCalledTimes(10);
    expect(poll).toHaveBeenCalledTimes(2);
    expect(hourly).not.toHaveBeenCalled();
    expect(odd).toHaveBeenCalledTimes(6);
    iv.clear(b);
    vi.advanceTimersByTime(5000);
    expect(poll).toHaveBeenCalledTimes(3);
    iv.clear(p);
    expect(vi.getTimerCount()).toBe(2);
  });

  it("starts a multiple's period when it is added, not at the group's start", () => {
    const iv = createSharedIntervals(1000);
    iv.set(() => undefined, 1000);
    vi.advanceTimersByTime(3000);
    const at: number[] = [];
    const t0 = Date.now();
    iv.set(() => at.push(Date.now() - t0), 5000);
    vi.advanceTimersByTime(11_000);
    expect(at).toEqual([5000, 10_000]);
  });
});
