import { describe, expect, it } from "vitest";
import { REFUSED_BACKOFF_CAP_MS, RECONNECT_BACKOFF_CAP_MS } from "./constants.js";
import { reconnectStep } from "./backoff.js";

const o = { baseMs: 500, capMs: RECONNECT_BACKOFF_CAP_MS, jitter: "none" as const };

/** Ceilings of a run of attempts, each refused or not, from attempt 0. */
function ceilings(refusals: boolean[]): number[] {
  let attempt = 0;
  return refusals.map((refused) => {
    const s = reconnectStep(attempt, refused, o);
    attempt = s.next;
    return s.delayMs;
  });
}

describe("reconnectStep (docs/protocol.md §Liveness)", () => {
  it("doubles from 0.5 s to the 30 s ceiling when the broker answers but fails", () => {
    expect(ceilings(Array<boolean>(8).fill(false))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it("holds 4 s while the port refuses connections, however long the outage", () => {
    const c = ceilings(Array<boolean>(12).fill(true));
    expect(c).toEqual([500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
    expect(Math.max(...c)).toBe(REFUSED_BACKOFF_CAP_MS);
  });

  it("backs off from the refused ceiling, not from the outage's count, once the server answers", () => {
    // Ten refusals while the server was down, then timeouts or busy answers in the storm.
    expect(ceilings([...Array<boolean>(10).fill(true), false, false, false, false]).slice(10)).toEqual([4000, 8000, 16000, 30000]);
  });

  it("keeps the delays within [0, ceiling) with full jitter", () => {
    for (const r of [0, 0.5, 0.999999]) {
      const s = reconnectStep(20, true, { ...o, jitter: "full", random: () => r });
      expect(s.delayMs).toBeGreaterThanOrEqual(0);
      expect(s.delayMs).toBeLessThan(REFUSED_BACKOFF_CAP_MS);
    }
  });
});
