import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MqttClient } from "mqtt";
import { startBroker } from "../../test/helpers/broker.js";
import { createPlainConnect } from "./plain-connect.js";

const opts = { protocolVersion: 4 as const, clientId: "bbb-plain-1", username: "bbb-plain-1", password: "t", reconnectPeriod: 0, clean: false };

describe("createPlainConnect", () => {
  const clients: MqttClient[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const c of clients.splice(0)) c.end(true);
    for (const c of closers.splice(0)) await c();
  });

  const connected = (c: MqttClient) =>
    new Promise<void>((resolve, reject) => {
      c.once("connect", () => resolve());
      c.once("error", reject);
    });

  it.each(["127.0.0.1", "::1"])("connects a plain mqtt:// URL over its own TCP socket (%s), credentials and will included", async (host) => {
    const broker = await startBroker(host);
    closers.push(broker.close);
    const seen: Array<{ id: string; user: string | undefined }> = [];
    broker.aedes.authenticate = (client, username, _password, done) => {
      seen.push({ id: client.id, user: username });
      done(null, true);
    };
    const url = host.includes(":") ? `mqtt://[${host}]:${broker.port}` : `mqtt://${host}:${broker.port}`;
    const c = createPlainConnect(undefined)(url, { ...opts, will: { topic: "bbb/x/status", payload: Buffer.from("lost"), qos: 1, retain: true } });
    clients.push(c);
    await connected(c);
    expect(c.options.protocol).toBe("mqtt");
    expect(seen).toEqual([{ id: "bbb-plain-1", user: "bbb-plain-1" }]);
    // It reconnects through the same builder.
    c.reconnect();
    await connected(c);
    expect(seen).toHaveLength(2);
  });

  it("turns Nagle off on its socket, and on the socket MQTT.js makes for other URLs (a result must not wait for a delayed ACK)", async () => {
    const broker = await startBroker();
    closers.push(broker.close);
    const setNoDelay = vi.spyOn(net.Socket.prototype, "setNoDelay");
    const onSocket = (c: MqttClient) => setNoDelay.mock.calls.filter((args, i) => args[0] === true && setNoDelay.mock.contexts[i] === c.stream).length;
    const plain = createPlainConnect(undefined)(broker.url, opts);
    clients.push(plain);
    await connected(plain);
    expect(onSocket(plain)).toBeGreaterThanOrEqual(1);
    // A URL with a query goes through MQTT.js's own TCP transport.
    const viaMqttJs = createPlainConnect(undefined)(`${broker.url}?clientId=bbb-plain-2`, { ...opts, clientId: "bbb-plain-2", username: "bbb-plain-2" });
    clients.push(viaMqttJs);
    await connected(viaMqttJs);
    expect(onSocket(viaMqttJs)).toBe(1);
  });

  it("leaves every other URL, and a SOCKS proxy, to MQTT.js's connect", () => {
    const ws = createPlainConnect(undefined)("ws://127.0.0.1:1/mqtt", opts);
    const socks = createPlainConnect("socks5://127.0.0.1:1")("mqtt://127.0.0.1:1", opts);
    const withQuery = createPlainConnect(undefined)("mqtt://127.0.0.1:1?clientId=x", opts);
    clients.push(ws, socks, withQuery);
    expect(ws.options.protocol).toBe("ws");
    expect(socks.options.socksProxy).toBe("socks5://127.0.0.1:1");
    expect(withQuery.options.clientId).toBe("x");
  });
});
