import { once } from "node:events";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { closeTcpPairs, openTcpPair, until } from "../test/tcp-pair.js";
import { findReadBufferSlots, readIntoSharedBuffer } from "./shared-read-buffer.js";

afterEach(closeTcpPairs);

async function reading() {
  const p = await openTcpPair();
  const chunks: Buffer[] = [];
  p.conn.on("data", (c: Buffer) => chunks.push(c));
  const on = readIntoSharedBuffer(p.conn);
  return { ...p, chunks, on };
}

const text = (bs: Buffer[]) => Buffer.concat(bs).toString();

describe("findReadBufferSlots", () => {
  it("finds the slots of Node's onread option on this runtime", () => {
    const slots = findReadBufferSlots();
    expect(slots).not.toBeNull();
    expect(new Set([slots!.buffer, slots!.callback, slots!.generator]).size).toBe(3);
  });
});

describe("readIntoSharedBuffer", () => {
  it("hands each read's bytes to the data event in a buffer of its own", async () => {
    const { peer, chunks, on } = await reading();
    expect(on).toBe(true);
    peer.write("first");
    await until(() => text(chunks) === "first");
    const first = chunks[0]!;
    peer.write("SECOND");
    await until(() => text(chunks) === "firstSECOND");
    // The second read reused the shared buffer; the chunk handed out before kept its bytes.
    expect(first.toString()).toBe("first");
    // A slice of the small-buffer pool, not a fresh ArrayBuffer of the read's size as Node's own read gives.
    expect(first.buffer.byteLength).toBeGreaterThan(first.length);
  });

  it("keeps the order of reads over many writes and counts them in bytesRead", async () => {
    const { conn, peer, chunks } = await reading();
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      sent.push(`m${i};`);
      peer.write(`m${i};`);
    }
    const all = sent.join("");
    await until(() => text(chunks).length === all.length);
    expect(text(chunks)).toBe(all);
    expect(conn.bytesRead).toBe(all.length);
  });

  it("enters the bytes through the socket's own push, so that a wrapper of push sees every read", async () => {
    const p = await openTcpPair();
    const pushed: string[] = [];
    const push = p.conn.push.bind(p.conn);
    p.conn.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (Buffer.isBuffer(chunk)) pushed.push(chunk.toString());
      return push(chunk, encoding);
    };
    const got: Buffer[] = [];
    p.conn.on("data", (c: Buffer) => got.push(c));
    expect(readIntoSharedBuffer(p.conn)).toBe(true);
    p.peer.write("x");
    await until(() => text(got) === "x");
    p.peer.write("yz");
    await until(() => text(got) === "xyz");
    expect(pushed.join("")).toBe("xyz");
    expect(got[0]!.buffer.byteLength).toBeGreaterThan(got[0]!.length);
  });

  it("with a sink, hands the bytes to the sink instead of push and the data event; false stops reading", async () => {
    const p = await openTcpPair();
    let pushes = 0;
    const push = p.conn.push.bind(p.conn);
    p.conn.push = (chunk: unknown, encoding?: BufferEncoding) => {
      pushes++;
      return push(chunk, encoding);
    };
    const viaData: Buffer[] = [];
    p.conn.on("data", (c: Buffer) => viaData.push(c));
    const sunk: Buffer[] = [];
    let room = true;
    expect(readIntoSharedBuffer(p.conn, { sink: (c) => (sunk.push(c), room) })).toBe(true);
    p.peer.write("abc");
    await until(() => text(sunk) === "abc");
    expect(pushes).toBe(0);
    expect(viaData).toEqual([]);
    room = false;
    p.peer.write("d");
    await until(() => text(sunk) === "abcd");
    // The sink said no more: the socket stopped reading until it is resumed.
    p.peer.write("e");
    await new Promise((r) => setTimeout(r, 50));
    expect(text(sunk)).toBe("abcd");
    room = true;
    p.conn.pause();
    p.conn.resume();
    await until(() => text(sunk) === "abcde");
  });

  it("stops reading while paused and starts again on resume", async () => {
    const { conn, peer, chunks } = await reading();
    peer.write("a");
    await until(() => text(chunks) === "a");
    conn.pause();
    peer.write("b");
    await new Promise((r) => setTimeout(r, 50));
    expect(text(chunks)).toBe("a");
    conn.resume();
    await until(() => text(chunks) === "ab");
  });

  it("still ends and closes the socket when the peer ends, after the last bytes", async () => {
    const { conn, peer, chunks } = await reading();
    const closed = once(conn, "close");
    const ended = once(conn, "end");
    peer.end("last");
    await ended;
    await closed;
    expect(text(chunks)).toBe("last");
  });

  it("reports a reset connection as the socket's error", async () => {
    const { conn, peer } = await reading();
    const failed = once(conn, "error");
    peer.resetAndDestroy();
    const [err] = (await failed) as [NodeJS.ErrnoException];
    expect(err.code).toBe("ECONNRESET");
  });

  it("changes nothing for a stream that is not a plain TCP socket, a closed socket or a runtime without the slots", async () => {
    expect(readIntoSharedBuffer(new PassThrough())).toBe(false);
    const p = await openTcpPair();
    const got: Buffer[] = [];
    p.conn.on("data", (c: Buffer) => got.push(c));
    expect(readIntoSharedBuffer(p.conn, { slots: null })).toBe(false);
    p.peer.write("plain");
    await until(() => text(got) === "plain");
    // Node's own read: the chunk is the whole of its ArrayBuffer.
    expect(got[0]!.buffer.byteLength).toBe(got[0]!.length);
    p.conn.destroy();
    expect(readIntoSharedBuffer(p.conn)).toBe(false);
  });
});
