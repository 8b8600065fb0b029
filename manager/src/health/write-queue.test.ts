import { describe, expect, it } from "vitest";
import type { PendingRow } from "./accumulator.js";
import { createWriteQueue } from "./write-queue.js";

const row = (id: string, minute: number, temp = 500): PendingRow => [id, minute, 50, temp, 400, 600, 100, 0];

describe("write queue", () => {
  it("hands over batches up to the in-flight bound, then more as commits are acknowledged", () => {
    const q = createWriteQueue({ maxPoints: 1000, batchPoints: 3, maxInFlight: 5 });
    for (let m = 0; m < 10; m++) q.push("m1", row("b1", m));
    const first = q.take(0);
    // 3 + 3 points: the second batch starts below the bound of 5, nothing after it.
    expect(first.map((b) => b.points.length)).toEqual([3, 3]);
    expect(q.stats()).toEqual({ queued: 4, inFlight: 6, dropped: 0 });
    expect(q.take(1)).toEqual([]);
    expect(q.ack(first[0]?.seq ?? -1)).toBe(3);
    expect(q.take(2).map((b) => b.points.map((p) => p.row[1]))).toEqual([[6, 7, 8]]);
    // A clean stop takes everything, bound or not.
    expect(q.take(3, true).map((b) => b.points.length)).toEqual([1]);
    expect(q.stats()).toEqual({ queued: 0, inFlight: 7, dropped: 0 });
  });

  it("keeps a batch until acknowledged and hands it over again after a failure or a dead writer", () => {
    const q = createWriteQueue({ maxPoints: 1000, batchPoints: 2, maxInFlight: 100 });
    for (let m = 0; m < 4; m++) q.push("m1", row("b1", m));
    const [a, b] = q.take(0);
    expect(q.oldestPostedAt()).toBe(0);
    q.repost(b?.seq);
    expect(q.take(5).map((x) => x.seq)).toEqual([b?.seq]);
    q.repost();
    expect(q.take(7).map((x) => x.seq)).toEqual([a?.seq, b?.seq]);
    expect(q.oldestPostedAt()).toBe(7);
    q.ack(a?.seq ?? -1);
    q.ack(b?.seq ?? -1);
    expect(q.ack(b?.seq ?? -1)).toBe(0);
    expect(q.oldestPostedAt()).toBeNull();
    expect(q.stats()).toEqual({ queued: 0, inFlight: 0, dropped: 0 });
  });

  it("answers the unacknowledged points of one board and tier, in flight and queued", () => {
    const q = createWriteQueue({ maxPoints: 1000, batchPoints: 2, maxInFlight: 2 });
    q.push("m1", row("b1", 1, 401));
    q.push("m1", row("b2", 1));
    q.push("m15", row("b1", 0, 402));
    q.push("m1", row("b1", 2, 403));
    q.take(0);
    expect(q.stats().queued).toBe(2);
    expect(q.unwritten("b1", "m1")).toEqual([
      [1, 50, 401, 400, 600, 100, 0],
      [2, 50, 403, 400, 600, 100, 0],
    ]);
    expect(q.unwritten("b1", "m15")).toEqual([[0, 50, 402, 400, 600, 100, 0]]);
    expect(q.unwritten("b3", "m1")).toEqual([]);
  });

  it("drops the oldest queued points beyond its bound and counts them", () => {
    const q = createWriteQueue({ maxPoints: 5, batchPoints: 2, maxInFlight: 2 });
    for (let m = 0; m < 3; m++) q.push("m1", row("b1", m));
    q.take(0);
    let dropped = 0;
    for (let m = 3; m < 8; m++) dropped += q.push("m1", row("b1", m));
    // Two in flight (kept: the writer has them) and three queued: minutes 0, 1 and 5, 6, 7.
    expect(dropped).toBe(3);
    expect(q.stats()).toEqual({ queued: 3, inFlight: 2, dropped: 3 });
    expect(q.unwritten("b1", "m1").map((r) => r[0])).toEqual([0, 1, 5, 6, 7]);
  });
});
