import net, { type AddressInfo } from "node:net";
import { Aedes } from "aedes";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTopics } from "@bbb/shared";
import { connectManagerClient } from "./connect-client.js";

describe("connectManagerClient", () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  /** The manager's client against this Aedes on a TCP port of its own; both closed after the test. */
  async function managerOn(aedes: Aedes) {
    const server = net.createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    });
    const client = connectManagerClient({
      url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
      password: "p",
      topics: createTopics("bbb"),
      log: pino({ level: "silent" }),
    });
    cleanup.push(() => void client.end(true));
    return client;
  }

  it("turns Nagle off on its connection to the broker (views and answers must not wait for a delayed ACK)", async () => {
    const aedes = await Aedes.createBroker();
    const setNoDelay = vi.spyOn(net.Socket.prototype, "setNoDelay");
    const client = await managerOn(aedes);
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    const onItsSocket = setNoDelay.mock.calls.filter(
      (args, i) => args[0] === true && setNoDelay.mock.contexts[i] === client.stream,
    );
    expect(onItsSocket).toHaveLength(1);
  });

  it("keeps trying after a refused CONNACK (a broker answering \"server busy\" in a reconnect storm)", async () => {
    let refusals = 2;
    const aedes = await Aedes.createBroker({
      authenticate: (_client, _username, _password, done) => {
        if (refusals-- > 0) return done(Object.assign(new Error("server busy"), { returnCode: 3 as const }), false);
        done(null, true);
      },
    });
    const client = await managerOn(aedes);
    const refused: number[] = [];
    client.on("error", (err) => refused.push((err as { code?: number }).code ?? -1));
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    expect(refused).toEqual([3, 3]);
  }, 15_000);
});
