import { EventEmitter, once } from "node:events";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { closeTcpPairs, openTcpPair, until } from "../test/tcp-pair.js";
import { useFlowingRead, type ReadingClient } from "./flowing-read.js";
import { guardPacketSize } from "./packet-size-guard.js";

/** An Aedes-shaped client whose parser records the chunks it is given, reading like Aedes. */
function aedesLike(conn: unknown) {
  const parsed: string[] = [];
  const errors: Error[] = [];
  const c = Object.assign(new EventEmitter(), {
    conn,
    _paused: false,
    _parsingBatch: 1,
    _parser: { parse: (b: Buffer) => parsed.push(b.toString()) },
    _nextBatch: (): void => {},
  });
  c._nextBatch = function aedesNextBatch() {
    const buf = (conn as { read(n?: number): Buffer | null }).read();
    if (buf) c._parser.parse(buf);
  };
  (conn as EventEmitter).on("readable", c._nextBatch);
  c.on("error", (e: Error) => errors.push(e));
  const client: ReadingClient & typeof c = c;
  return { client, parsed, errors };
}

afterEach(closeTcpPairs);

describe("useFlowingRead", () => {
  it("parses each read straight from the socket's read, out of the shared buffer, with Aedes' readable listener gone", async () => {
    const p = await openTcpPair();
    const { client, parsed } = aedesLike(p.conn);
    expect(useFlowingRead(client)).toBe(true);
    expect(p.conn.listenerCount("readable")).toBe(0);
    let dataEvents = 0;
    p.conn.prependListener("data", () => dataEvents++);
    const seen: Buffer[] = [];
    client._parser.parse = (b: Buffer) => {
      seen.push(b);
      return parsed.push(b.toString());
    };
    p.peer.write("one");
    await until(() => parsed.length === 1);
    p.peer.write("two");
    await until(() => parsed.length === 2);
    expect(parsed).toEqual(["one", "two"]);
    // Past the stream: no data event, no push; copies out of the shared buffer (pool slices).
    expect(dataEvents).toBe(0);
    for (const c of seen) expect(c.buffer.byteLength).toBeGreaterThan(c.length);
    expect(p.conn.readableFlowing).toBe(true);
  });

  it("lets the packet size guard see every read: an oversize packet closes the connection unparsed", async () => {
    const p = await openTcpPair();
    const sizes: number[] = [];
    guardPacketSize(p.conn, 64, (size) => sizes.push(size));
    const { client, parsed } = aedesLike(p.conn);
    expect(useFlowingRead(client)).toBe(true);
    // A PINGREQ (2 bytes) passes; then a PUBLISH header announcing 200 bytes is refused at its
    // length bytes.
    p.peer.write(Buffer.from([0xc0, 0x00]));
    await until(() => parsed.length === 1);
    const closed = once(p.conn, "close");
    p.peer.write(Buffer.from([0x30, 0xc8, 0x01, 0x00]));
    await closed;
    expect(sizes).toHaveLength(1);
    expect(sizes[0]).toBeGreaterThan(64);
    expect(parsed).toHaveLength(1);
  });

  it("ends and closes the connection when the peer ends it, after parsing its last bytes", async () => {
    const p = await openTcpPair();
    const { client, parsed } = aedesLike(p.conn);
    expect(useFlowingRead(client)).toBe(true);
    const ended = once(p.conn, "end");
    const closed = once(p.conn, "close");
    p.peer.end("bye");
    await ended;
    await closed;
    expect(parsed).toEqual(["bye"]);
  });

  it("parses what the socket had buffered before the switch first, then the new reads", async () => {
    const p = await openTcpPair();
    // Nobody parses yet: the bytes wait in the socket's own buffer, as behind a CONNECT.
    const { client, parsed } = aedesLike(p.conn);
    p.conn.removeListener("readable", client._nextBatch);
    p.conn.pause();
    p.peer.write("early");
    await new Promise((r) => setTimeout(r, 30));
    p.conn.read(0);
    await until(() => p.conn.readableLength === 5);
    expect(useFlowingRead(client)).toBe(true);
    p.peer.write("late");
    await until(() => parsed.join("") === "earlylate");
  });

  it("holds chunks in order while the client is paused, parses them first on resume, then reads on", async () => {
    const p = await openTcpPair();
    const { client, parsed } = aedesLike(p.conn);
    useFlowingRead(client);
    client._paused = true; // Aedes pauses a client while its CONNECT is authenticated
    p.peer.write("a");
    await until(() => p.conn.isPaused());
    p.peer.write("b");
    await new Promise((r) => setTimeout(r, 50));
    expect(parsed).toEqual([]);
    client._paused = false;
    client._nextBatch(); // what Aedes' resume() calls
    p.peer.write("c");
    await until(() => parsed.join("") === "abc");
    expect(p.conn.isPaused()).toBe(false);
    p.peer.write("d");
    await until(() => parsed.join("") === "abcd");
  });

  it("stops parsing held chunks when a parsed packet pauses the client again", async () => {
    const p = await openTcpPair();
    const { client, parsed } = aedesLike(p.conn);
    useFlowingRead(client);
    client._paused = true;
    p.peer.write("x");
    await until(() => p.conn.isPaused());
    p.peer.write("y");
    await new Promise((r) => setTimeout(r, 50));
    client._parser.parse = (b: Buffer) => {
      client._paused = true;
      return parsed.push(b.toString());
    };
    client._paused = false;
    client._nextBatch();
    // "x" and "y" may share one held chunk; whatever came after the pausing parse waits.
    expect(parsed).toHaveLength(1);
    expect(p.conn.isPaused()).toBe(true);
  });

  it("counts packets in hand down as Aedes does, never below 0, and reports a handler's error", async () => {
    const p = await openTcpPair();
    const { client, errors } = aedesLike(p.conn);
    useFlowingRead(client);
    client._parsingBatch = 2;
    client._nextBatch();
    expect(client._parsingBatch).toBe(1);
    client._nextBatch();
    client._nextBatch();
    expect(client._parsingBatch).toBe(0);
    const boom = new Error("handler failed");
    client._nextBatch(boom);
    expect(errors).toEqual([boom]);
    client._paused = true;
    client._parsingBatch = 3;
    client._nextBatch();
    expect(client._parsingBatch).toBe(3);
  });

  it("switches a client once: a second call adds no second reader", async () => {
    const p = await openTcpPair();
    const { client, parsed } = aedesLike(p.conn);
    expect(useFlowingRead(client)).toBe(true);
    expect(useFlowingRead(client)).toBe(false);
    expect(p.conn.listenerCount("data")).toBe(1);
    p.peer.write("once");
    await until(() => parsed.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(parsed).toEqual(["once"]);
  });

  it("leaves a connection that is not a socket (a WebSocket stream) to Aedes' own reading", () => {
    const stream = new PassThrough();
    const { client } = aedesLike(stream);
    const before = client._nextBatch;
    expect(useFlowingRead(client)).toBe(false);
    expect(client._nextBatch).toBe(before);
    expect(stream.listenerCount("readable")).toBe(1);
    expect(stream.listenerCount("data")).toBe(0);
  });
});
