import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { ADMIN_PASSWORD, connectClient, startTestServer, topics, type TestServer } from "./helpers.js";

/** Invalid UTF-8 in an MQTT request is refused like on REST and the socket, never stored as U+FFFD. */
describe("MQTT requests with invalid UTF-8", () => {
  let t: TestServer;
  let admin: MqttClient;
  beforeAll(async () => {
    t = await startTestServer();
    admin = await connectClient(t.mqttUrl, "admin", ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await admin?.endAsync();
    await t?.stop();
  });

  it("answers MGR_E_PARSE_ERROR and changes nothing", async () => {
    const clientId = admin.options.clientId as string;
    await admin.subscribeAsync(topics.managerResponse(clientId), { qos: 1 });
    const answer = new Promise<{ transaction: string; status: string; error?: { code: string } }>((resolve) =>
      admin.on("message", (_t, p) => resolve(JSON.parse(p.toString()) as never)),
    );
    const head = Buffer.from('{"transaction":"u1","params":{"name":"latin1","description":"caf');
    const payload = Buffer.concat([head, Buffer.from([0xe9, 0xff]), Buffer.from('"}}')]);
    await admin.publishAsync(topics.managerRequest("types.upsert"), payload, { qos: 1 });
    const r = await answer;
    expect(r).toMatchObject({ transaction: "u1", status: "error", error: { code: "MGR_E_PARSE_ERROR" } });
    expect(t.server.manager.registry.types.has("latin1")).toBe(false);
  });
});
