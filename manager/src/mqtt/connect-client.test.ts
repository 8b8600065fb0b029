import net, { type AddressInfo } from "node:net";
import { Aedes } from "aedes";
import pino, { type Logger } from "pino";
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
  async function managerOn(aedes: Aedes, o: { log?: Logger; now?: () => number; server?: net.Server } = {}) {
    const server = o.server ?? net.createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    });
    const client = connectManagerClient({
      url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
      password: "p",
      topics: createTopics("bbb"),
      log: o.log ?? pino({ level: "silent" }),
      ...(o.now ? { now: o.now } : {}),
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

  /** A logger at info, as the manager runs, whose lines the test reads. */
  function recordingLog() {
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[0]) });
    return { log, lines, msgs: () => lines.map((l) => l.msg) };
  }

  /** An Aedes that answers "server busy" (CONNACK 3) to the next `refuse(n)` CONNECTs. */
  async function busyBroker(initially: number) {
    let refusals = initially;
    const aedes = await Aedes.createBroker({
      authenticate: (_client, _username, _password, done) => {
        if (refusals-- > 0) return done(Object.assign(new Error("server busy"), { returnCode: 3 as const }), false);
        done(null, true);
      },
    });
    return { aedes, refuse: (n: number) => void (refusals = n) };
  }

  const BUSY = "Connection refused: Server unavailable";

  it("logs a refused first connection once, then a summary at most every 30 s, then the connection", async () => {
    const { aedes } = await busyBroker(4);
    const { log, msgs } = recordingLog();
    // The connection's clock runs 20 times faster: the attempts, a second apart, are 20 s apart on it.
    const start = Date.now();
    const client = await managerOn(aedes, { log, now: () => start + (Date.now() - start) * 20 });
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    const seen = msgs();
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe(`unable to connect to the broker: ${BUSY}`);
    expect(seen[1]).toMatch(
      new RegExp(`^still unable to connect to the broker: ${BUSY}, 2 attempts in the last [34]\\d s$`),
    );
    expect(seen[2]).toMatch(/^connected to the broker after 5 attempts, \d+\.\d s$/);
  }, 15_000);

  it("logs a lost connection once with its reason and its return, not each refused reconnect", async () => {
    const { aedes, refuse } = await busyBroker(0);
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      aedes.handle(s);
    });
    const { log, lines, msgs } = recordingLog();
    const client = await managerOn(aedes, { log, server });
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    expect(lines).toEqual([]);

    refuse(3);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    expect(msgs()).toEqual([
      "connection to the broker lost: connection closed",
      `unable to connect to the broker: ${BUSY}`,
      expect.stringMatching(/^connected to the broker again after 4 attempts, [34]\.\d s$/),
    ]);
    expect(lines.map((l) => l.level)).toEqual([40, 40, 30]);

    // A deliberate end is no loss.
    await client.endAsync(true);
    expect(lines).toHaveLength(3);
  }, 15_000);
});
