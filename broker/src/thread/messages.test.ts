import { describe, expect, it } from "vitest";
import { createOutbox, MIN_BATCH_BYTES, sliceOf, type Batch } from "./messages.js";

type Item = { k: "msg"; t: string; o: number; n: number } | { k: "up" };

/** An outbox whose batches are kept, flushed by hand (flush()) or at the turn's end. */
function outbox() {
  const sent: { batch: Batch<Item>; transfer: ArrayBuffer[] }[] = [];
  const box = createOutbox<Item>((batch, transfer) => sent.push({ batch, transfer }));
  const push = (t: string, bytes: Uint8Array) => box.push({ k: "msg", t, bytes });
  return { box, sent, push };
}

const bytesOf = (batch: Batch<Item>) =>
  batch.items.map((i) => (i.k === "msg" ? `${i.t}=${sliceOf(batch.bytes, i).toString()}` : i.k));

describe("createOutbox", () => {
  it("sends one turn's items as one batch, each item's bytes a slice of one moved buffer", async () => {
    const { box, sent, push } = outbox();
    const reused = Buffer.from("first");
    push("a", reused);
    reused.write("XXXXX"); // the caller may reuse its buffer once push returns
    box.push({ k: "up" });
    push("b", Buffer.from("second"));
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(1);
    expect(bytesOf(sent[0]!.batch)).toEqual(["a=first", "up", "b=second"]);
    expect(sent[0]!.transfer).toEqual([sent[0]!.batch.bytes]);
  });

  it("gives a batch of one small message a small buffer, not a fixed large one", () => {
    const { box, sent, push } = outbox();
    for (let i = 0; i < 5; i++) {
      push("hb", Buffer.alloc(500, 1));
      box.flush();
    }
    expect(sent.map((s) => s.batch.bytes?.byteLength)).toEqual(Array<number>(5).fill(MIN_BATCH_BYTES));
  });

  it("grows a turn's buffer as items come, keeping the earlier bytes, and starts the next batch at the size the last one needed", () => {
    const { box, sent, push } = outbox();
    const big = 3 * MIN_BATCH_BYTES;
    for (let i = 0; i < 10; i++) push(`m${i}`, Buffer.alloc(big / 10 + 1, 0x30 + i));
    box.flush();
    const first = sent[0]!.batch;
    expect(first.bytes!.byteLength).toBe(4 * MIN_BATCH_BYTES);
    first.items.forEach((item, i) =>
      expect(sliceOf(first.bytes, item as { o: number; n: number }).equals(Buffer.alloc(big / 10 + 1, 0x30 + i))).toBe(
        true,
      ),
    );
    push("small", Buffer.from("x"));
    box.flush();
    expect(sent[1]!.batch.bytes!.byteLength).toBe(4 * MIN_BATCH_BYTES);
    // The one after a small batch is small again.
    push("small", Buffer.from("y"));
    box.flush();
    expect(sent[2]!.batch.bytes!.byteLength).toBe(MIN_BATCH_BYTES);
  });

  it("sends at once when a batch reaches 256 items, and a batch without bytes moves no buffer", () => {
    const { box, sent } = outbox();
    for (let i = 0; i < 256; i++) box.push({ k: "up" });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.batch.items).toHaveLength(256);
    expect(sent[0]!.batch.bytes).toBeNull();
    expect(sent[0]!.transfer).toEqual([]);
  });
});
