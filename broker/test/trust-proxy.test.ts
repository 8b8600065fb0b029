import http from "node:http";
import net, { type AddressInfo } from "node:net";
import mqttPacket from "mqtt-packet";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PASSWORDS, asUser, closeAll, startBroker, until, type TestBroker } from "./helpers.js";

/**
 * The client address behind a proxy (docs/configuration.md `trustProxy`): a real PROXY protocol
 * v1 header on the TCP port and a real X-Forwarded-For header on the WebSocket upgrade.
 */
type Failed = { username: string; address: string; reason: string };

function connectPacket(username: string, password: string): Buffer {
  return mqttPacket.generate({
    cmd: "connect",
    protocolId: "MQTT",
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    clientId: `${username}-${Math.random().toString(36).slice(2, 8)}`,
    username,
    password: Buffer.from(password),
  });
}

/** Sends `prefix` + CONNECT on a raw TCP socket and resolves with the CONNACK return code (null: closed first). */
function rawConnect(port: number, prefix: string, username: string, password: string): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const timer = setTimeout(() => socket.destroy(), 5000);
    parser.on("packet", (p) => {
      if (p.cmd === "connack") {
        clearTimeout(timer);
        socket.destroy();
        resolve(p.returnCode ?? null);
      }
    });
    socket.on("data", (d: Buffer) => parser.parse(d));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(null);
    });
    socket.on("connect", () =>
      socket.write(Buffer.concat([Buffer.from(prefix, "latin1"), connectPacket(username, password)])),
    );
  });
}

async function withWebSocket(tb: TestBroker): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.end("ok"));
  tb.broker.attachWebSocket(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/mqtt`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const proxyV1 = (source: string, port: number) => `PROXY TCP4 ${source} 127.0.0.1 ${40000 + (port % 1000)} ${port}\r\n`;
const xff = (address: string) => ({ wsOptions: { headers: { "X-Forwarded-For": address } } });

afterEach(closeAll);

/** A broker on port 0 with a WebSocket listener, recording its auth-failed events, for one describe block. */
function brokerWithWebSocket(extra: Parameters<typeof startBroker>[0] = {}) {
  const ctx = {
    tb: null as unknown as TestBroker,
    ws: null as unknown as Awaited<ReturnType<typeof withWebSocket>>,
    failed: [] as Failed[],
  };
  beforeAll(async () => {
    ctx.tb = await startBroker(extra);
    ctx.tb.broker.events.on("auth-failed", (e: Failed) => ctx.failed.push(e));
    ctx.ws = await withWebSocket(ctx.tb);
  });
  afterAll(async () => {
    await ctx.ws.close();
    await ctx.tb.stop();
  });
  return ctx;
}

describe("trustProxy on", () => {
  const ctx = brokerWithWebSocket({ trustProxy: true });

  it("takes the client address from a PROXY v1 header and still serves the MQTT bytes behind it", async () => {
    expect(await rawConnect(ctx.tb.port, proxyV1("203.0.113.7", ctx.tb.port), "vera", PASSWORDS.vera)).toBe(0);
    expect(await rawConnect(ctx.tb.port, proxyV1("203.0.113.7", ctx.tb.port), "vera", "wrong-password")).toBe(4);
    expect(ctx.failed.at(-1)).toEqual({
      username: "vera",
      address: "203.0.113.7",
      reason: expect.any(String) as string,
    });
    expect(ctx.tb.logs.some((l) => l.msg === "authentication failed" && l.address === "203.0.113.7")).toBe(true);
    // Without a header the socket's address stands.
    expect(await rawConnect(ctx.tb.port, "", "vera", "wrong-password")).toBe(4);
    expect(ctx.failed.at(-1)?.address).toBe("127.0.0.1");
  });

  it("throttles per real address: failures behind one proxy address do not slow another", async () => {
    for (let i = 0; i < 4; i++)
      await rawConnect(ctx.tb.port, proxyV1("203.0.113.50", ctx.tb.port), "otto", "wrong-password");
    // Another user: a username's own window (capped) is shared by every address.
    await rawConnect(ctx.tb.port, proxyV1("198.51.100.50", ctx.tb.port), "oscar", "wrong-password");
    const delays = ctx.tb.logs
      .filter((l) => l.msg === "authentication failed" && (l.username === "otto" || l.username === "oscar"))
      .map((l) => [l.address, l.delayMs]);
    // The refusal is held for the wait each failure owes, so a sequential client is never
    // refused unchecked. startBroker's throttle: 20 ms base, the first failure free
    // (docs/protocol.md §"Login throttle").
    expect(delays).toEqual([
      ["203.0.113.50", 0],
      ["203.0.113.50", 20],
      ["203.0.113.50", 40],
      ["203.0.113.50", 80],
      ["198.51.100.50", 0],
    ]);
  });

  it("takes the client address from X-Forwarded-For on the WebSocket upgrade", async () => {
    await expect(asUser(ctx.ws.url, "vera", { password: "wrong-password", ...xff("198.51.100.9") })).rejects.toThrow(
      /Bad username or password/i,
    );
    expect(await until(() => ctx.failed.at(-1)?.address === "198.51.100.9")).toBe(true);
    const ok = await asUser(ctx.ws.url, "vera", xff("198.51.100.9"));
    expect(ok.connected).toBe(true);
  });
});

describe("trustProxy off (the default)", () => {
  const ctx = brokerWithWebSocket();

  it("treats a PROXY header as a bad packet and never takes its address", async () => {
    expect(await rawConnect(ctx.tb.port, proxyV1("203.0.113.7", ctx.tb.port), "vera", PASSWORDS.vera)).toBeNull();
    expect(ctx.failed).toEqual([]);
  });

  it("ignores X-Forwarded-For", async () => {
    await expect(asUser(ctx.ws.url, "vera", { password: "wrong-password", ...xff("198.51.100.9") })).rejects.toThrow(
      /Bad username or password/i,
    );
    expect(await until(() => ctx.failed.length === 1)).toBe(true);
    expect(ctx.failed[0]?.address).toBe("127.0.0.1");
  });
});
