import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { allowBufferedWrites } from "./write-allowance.js";

const CHUNK = Buffer.alloc(64 * 1024, 1);
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A connected socket whose peer reads nothing until `resume()`. */
async function stalledPair(): Promise<{ socket: net.Socket; resume: () => void }> {
  let peer: net.Socket | null = null;
  const server = net.createServer((s) => {
    s.pause();
    peer = s;
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const socket = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
  await new Promise<void>((r) => socket.once("connect", r));
  while (!peer) await new Promise((r) => setTimeout(r, 5));
  cleanup.push(() => {
    socket.destroy();
    peer?.destroy();
    server.close();
  });
  return { socket, resume: () => peer?.resume() };
}

/** Writes until write() reports back-pressure; the bytes held in user space at that moment. */
function fillUntilFull(socket: net.Socket): number {
  for (let i = 0; i < 2000; i++) if (!socket.write(CHUNK)) return socket.writableLength;
  throw new Error("never reported back-pressure");
}

describe("write allowance", () => {
  it("leaves a socket's own back-pressure alone until an allowance is set", async () => {
    const { socket } = await stalledPair();
    allowBufferedWrites(socket);
    const held = fillUntilFull(socket);
    expect(held).toBeGreaterThanOrEqual(socket.writableHighWaterMark);
    expect(held).toBeLessThan(socket.writableHighWaterMark + CHUNK.length);
  });

  it("reports back-pressure only once the allowance is held, and drains as before", async () => {
    const { socket, resume } = await stalledPair();
    allowBufferedWrites(socket).set(2 * 1024 * 1024);
    const held = fillUntilFull(socket);
    expect(held).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(held).toBeLessThan(2 * 1024 * 1024 + CHUNK.length);
    const drained = new Promise<void>((r) => socket.once("drain", r));
    resume();
    await drained;
    expect(socket.writableLength).toBe(0);
  });
});
