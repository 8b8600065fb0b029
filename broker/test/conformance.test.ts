import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HAS_MOSQUITTO_BROKER, startMosquitto, type Mosquitto } from "./mosquitto-peer.js";
import { rawConnect } from "./raw-connect.js";
import { PASSWORDS, closeAll, closed, connect, sleep, startBroker, until, type TestBroker } from "./helpers.js";

/**
 * Generic MQTT 3.1.1 clauses, checked against our broker and Debian's mosquitto in the same
 * test: where they differ, ours is wrong (docs/protocol.md "Authentication and ACL").
 */
let tb: TestBroker;
let mq: Mosquitto;
beforeAll(async () => {
  tb = await startBroker();
  mq = await startMosquitto({
    otto: { password: PASSWORDS.otto, acl: ["topic read bbb/#", "topic readwrite bbb/manager/request/#", "topic write bbb/+/cmd/+"] },
    ada: { password: PASSWORDS.ada, acl: ["topic readwrite #"] },
  });
}, 20_000);
afterEach(closeAll);
afterAll(async () => {
  await tb?.stop();
  await mq?.stop();
});

const targets = () => [
  { name: "bbb broker", port: tb.port },
  { name: "mosquitto", port: mq.port },
];

describe.skipIf(!HAS_MOSQUITTO_BROKER)("MQTT conformance, ours beside mosquitto", () => {
  it("MQTT-3.1.3-8: an empty client id with clean session 0 gets CONNACK 2 and the connection is closed", async () => {
    for (const t of targets()) {
      const r = await rawConnect(t.port, { clientId: "", clean: false, username: "otto", password: PASSWORDS.otto });
      expect(r, t.name).toEqual({ returnCode: 2, closed: true });
      // With clean session 1 the server assigns an id (MQTT-3.1.3-6).
      const ok = await rawConnect(t.port, { clientId: "", clean: true, username: "otto", password: PASSWORDS.otto });
      expect(ok, t.name).toEqual({ returnCode: 0, closed: false });
    }
  });

  it("MQTT-3.1.4-2: a second CONNECT with a live client's id takes over: the old one is closed, the new one served", async () => {
    for (const t of targets()) {
      const id = `otto-desk-${t.port}`;
      const first = await connect(t.port, { clientId: id, username: "otto", password: PASSWORDS.otto });
      const firstClosed = closed(first);
      const second = await connect(t.port, { clientId: id, username: "otto", password: PASSWORDS.otto });
      expect(await firstClosed, t.name).toBe(true);
      expect(second.connected, t.name).toBe(true);
      await second.subscribeAsync("bbb/x/heartbeat");
    }
  });

  it("a user's publish its ACL refuses is acknowledged and dropped; the client stays connected", async () => {
    for (const t of targets()) {
      const ada = await connect(t.port, { clientId: `ada-${t.port}`, username: "ada", password: PASSWORDS.ada });
      const seen: string[] = [];
      ada.on("message", (topic) => seen.push(topic));
      await ada.subscribeAsync("bbb/#");
      const otto = await connect(t.port, { clientId: `otto-${t.port}`, username: "otto", password: PASSWORDS.otto });
      let ottoClosed = false;
      otto.on("close", () => (ottoClosed = true));
      await otto.publishAsync("bbb/registry/hosts/evil", "{}", { qos: 1 });
      // An allowed publish still goes through (requests reach only the manager on ours: a command).
      await otto.publishAsync("bbb/b1/cmd/ping", "{}", { qos: 1 });
      expect(await until(() => seen.includes("bbb/b1/cmd/ping")), t.name).toBe(true);
      await sleep(100);
      expect(seen, t.name).not.toContain("bbb/registry/hosts/evil");
      expect(seen.some((s) => s.startsWith("$")), t.name).toBe(false);
      expect(ottoClosed, t.name).toBe(false);
      await otto.subscribeAsync("bbb/x/heartbeat");
    }
  });
});
