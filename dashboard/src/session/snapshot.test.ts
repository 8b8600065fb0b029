import { describe, expect, it } from "vitest";
import { hostView } from "../test-support/fixtures.js";
import { goneSince, loadSnapshot, SNAPSHOT_PAGE } from "./snapshot.js";

describe("loadSnapshot", () => {
  it("fetches every page of hosts.list, a few at a time, and hands over every view", async () => {
    const all = Array.from({ length: SNAPSHOT_PAGE * 3 + 7 }, (_, i) => hostView(`b${i}`));
    let inFlight = 0;
    let maxInFlight = 0;
    const calls: number[] = [];
    const api = {
      hostsPage: async (offset: number, limit: number) => {
        calls.push(offset);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return { total: all.length, offset, items: all.slice(offset, offset + limit) };
      },
    };
    const got: string[] = [];
    const total = await loadSnapshot(api, (views) => got.push(...views.map((v) => v.id)), 2);
    expect(total).toBe(all.length);
    expect(got.sort()).toEqual(all.map((v) => v.id).sort());
    expect(calls.sort((a, b) => a - b)).toEqual([0, 100, 200, 300]);
    expect(maxInFlight).toBe(2);
  });
});

describe("goneSince", () => {
  it("forgets only boards missing from the list and untouched since the reconnect", () => {
    const a = hostView("a"), b = hostView("b"), c = hostView("c"), c2 = hostView("c"), d = hostView("d");
    const before = new Map([["a", a], ["b", b], ["c", c]]);
    const now = new Map([["a", a], ["b", b], ["c", c2], ["d", d]]);
    // a is listed; b is neither listed nor updated -> gone; c was updated; d arrived meanwhile.
    expect(goneSince(before, now, new Set(["a"]))).toEqual(["b"]);
  });
});
