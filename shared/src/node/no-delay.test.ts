import { EventEmitter } from "node:events";
import net, { type AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { keepNoDelay } from "./no-delay.js";

/** A client as MQTT.js is one for this purpose: a `connect` event and the current connection's stream. */
class FakeClient extends EventEmitter {
  stream: unknown = null;
}

describe("keepNoDelay", () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const f of cleanup.splice(0)) f();
    vi.restoreAllMocks();
  });

  async function tcpSocket(): Promise<net.Socket> {
    const server = net.createServer((s) => s.on("error", () => undefined));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const sock = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
    await new Promise((resolve) => sock.once("connect", resolve));
    cleanup.push(() => {
      sock.destroy();
      server.close();
    });
    return sock;
  }

  it("turns Nagle off on the socket of every connection, reconnections included", async () => {
    const setNoDelay = vi.spyOn(net.Socket.prototype, "setNoDelay");
    const client = keepNoDelay(new FakeClient());
    const first = await tcpSocket();
    client.stream = first;
    client.emit("connect");
    const second = await tcpSocket();
    client.stream = second;
    client.emit("connect");
    const calls = setNoDelay.mock.calls.map((args, i) => ({ on: args[0], socket: setNoDelay.mock.contexts[i] }));
    expect(calls).toEqual([
      { on: true, socket: first },
      { on: true, socket: second },
    ]);
  });

  it("leaves a stream without sockets options (a WebSocket's) as it is", () => {
    const client = keepNoDelay(new FakeClient());
    client.stream = new PassThrough();
    expect(() => client.emit("connect")).not.toThrow();
    client.stream = undefined;
    expect(() => client.emit("connect")).not.toThrow();
  });
});
