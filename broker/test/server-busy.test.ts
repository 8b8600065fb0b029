import { afterEach, expect, it } from "vitest";
import { asBoard, asUser, boardToken, closeAll, MOSQUITTO, mosquitto, PASSWORDS, startBroker, type TestBroker } from "./helpers.js";
import { rawConnect } from "./raw-connect.js";

let tb: TestBroker | null = null;
afterEach(async () => {
  await closeAll();
  await tb?.stop();
  tb = null;
});

/** A broker that admits one CONNECT at a time, with user logins held at the password check until `release()`. */
async function oneAtATime() {
  const b = await startBroker({ admission: { maxPending: 1 } });
  let release = () => undefined as void;
  let entered = () => undefined as void;
  const gate = new Promise<void>((r) => (release = r));
  const held = new Promise<void>((r) => (entered = r));
  const verify = b.users.verify.bind(b.users);
  b.users.verify = async (u, p) => {
    entered();
    await gate;
    return verify(u, p);
  };
  return { b, release, held };
}

it("answers CONNACK 3 (server unavailable / busy) while the admission limit is reached, and the client gets in later", async () => {
  const { b, release, held: inProgress } = await oneAtATime();
  tb = b;
  const shed: unknown[] = [];
  b.broker.events.on("connect-shed", (e) => shed.push(e));
  const held = asUser(b.port, "vera");
  // vera's login is in progress (held at the password check): the board is turned away at once.
  await inProgress;
  expect(shed).toEqual([]);
  const refused = await rawConnect(b.port, { clientId: "busy1", clean: true, username: "busy1", password: boardToken("busy1") });
  expect(refused).toEqual({ returnCode: 3, closed: true });
  expect(shed).toEqual([{ clientId: "busy1", address: "127.0.0.1" }]);
  expect(b.logs.some((l) => l.msg === "CONNECTs refused: server busy" && l.refused === 1)).toBe(true);
  release();
  expect((await held).connected).toBe(true);
  const board = await asBoard(b.port, "busy1");
  expect(board.connected).toBe(true);
  expect(b.broker.connectedClients()).toBe(2);
});

it("MQTT.js reports the busy CONNACK as a refusal (what the agent backs off from)", async () => {
  const { b, release, held: inProgress } = await oneAtATime();
  tb = b;
  const held = asUser(b.port, "otto");
  await inProgress;
  await expect(asBoard(b.port, "busy2")).rejects.toMatchObject({ code: 3, message: expect.stringMatching(/Server unavailable/i) });
  release();
  await held;
});

it.skipIf(!MOSQUITTO)("mosquitto_pub is refused with 'server unavailable' while busy and publishes once admitted", async () => {
  const { b, release, held: inProgress } = await oneAtATime();
  tb = b;
  const held = asUser(b.port, "vera");
  await inProgress;
  const args = ["-h", "127.0.0.1", "-p", String(b.port), "-u", "ada", "-P", PASSWORDS.ada, "-t", "bbb/x/notes", "-m", "hi", "-V", "mqttv311"];
  const busy = await mosquitto("mosquitto_pub", args);
  expect(busy.code).not.toBe(0);
  expect(busy.stderr).toMatch(/unavailable/i);
  release();
  await held;
  const ok = await mosquitto("mosquitto_pub", args);
  expect(ok.code).toBe(0);
});
