import { describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, connectClient, startTestServer } from "./helpers.js";

// A dashboard left open over MQTT-over-WebSocket must not keep the server from stopping:
// upgraded sockets are not HTTP connections, so the broker has to close them first.
describe("stop with a WebSocket client connected", () => {
  it("stops promptly and the WebSocket client sees the close", async () => {
    const srv = await startTestServer();
    const wsUrl = `ws://127.0.0.1:${srv.started.ports.http}/mqtt`;
    const ws = await connectClient(wsUrl, "admin", ADMIN_PASSWORD);
    const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
    const t0 = Date.now();
    await srv.stop();
    await closed;
    ws.end(true);
    // Generous bound: a hang is the failure (it waited forever before), not speed.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
