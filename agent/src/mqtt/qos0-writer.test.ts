import { afterEach, describe, expect, it } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import { startBroker, startObserver } from "../../test/helpers/broker.js";
import { createQos0Writer } from "./qos0-writer.js";

describe("createQos0Writer", () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it("writes PUBLISH packets a real broker delivers intact: every remaining-length size, retain on and off, UTF-8, back to back", async () => {
    const broker = await startBroker();
    closers.push(broker.close);
    const obs = await startObserver(broker.url, ["w/#"]);
    closers.push(obs.close);
    const client: MqttClient = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: "qos0-writer", reconnectPeriod: 0 });
    closers.push(() => client.endAsync(true));
    const writer = createQos0Writer(64);
    // Remaining lengths across the 1/2/3-byte boundaries (127/128, 16,383/16,384) and past the
    // initial buffer; several in one tick, so later ones find the buffer still held.
    const sizes = [1, 100, 123, 124, 1000, 16_379, 16_380, 70_000];
    const sent = sizes.map((n, i) => ({ topic: `w/${i}`, payload: "x".repeat(n), retain: i % 2 === 0 }));
    sent.push({ topic: "w/utf8-é", payload: JSON.stringify({ details: "Kühlung ✓" }), retain: true });
    for (const s of sent) writer.write(client.stream, s.topic, s.payload, s.retain);
    // Live delivery for the plain ones; the retained ones from what the broker kept (Aedes does
    // not forward every retained QoS 0 message to live subscribers when they come back to back).
    for (const s of sent.filter((x) => !x.retain)) {
      const m = await obs.waitFor((r) => r.topic === s.topic);
      expect(m.payload).toBe(s.payload);
    }
    const late = await startObserver(broker.url, ["w/#"]);
    closers.push(late.close);
    for (const s of sent.filter((x) => x.retain)) {
      const m = await late.waitFor((r) => r.topic === s.topic);
      expect(m).toEqual({ topic: s.topic, payload: s.payload, retain: true });
    }
    expect(late.received).toHaveLength(sent.filter((x) => x.retain).length);
  });
});
