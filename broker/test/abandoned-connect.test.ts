import { connect as tcp, type Socket } from "node:net";
import { expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { asBoard, asUser, boardToken, collect, sleep, until, useBroker } from "./helpers.js";
import { connectPacket } from "./raw-connect.js";

/**
 * docs/protocol.md §"Liveness": after a restart, thousands of boards reconnect at once and some
 * give up on a CONNECT (their connect timeout) that the broker handles later. Such a
 * connection is not the board dying: no session work is done for a CONNECT whose connection
 * closed before it was handled, and the will of a board connection that never sent a packet
 * after its CONNECT is not published. A board that spoke and then died still has its will.
 */
const tb = useBroker();
const t = createTopics("bbb");
const will = (id: string) => ({ topic: t.status(id), payload: '{"state":"lost"}', qos: 1 as const, retain: true });

/** A raw board connection: CONNECT with a will; resolves once the CONNACK came (or never, if `endAtOnce`). */
function rawBoard(id: string, endAtOnce: boolean): Promise<Socket> {
  return new Promise((resolve) => {
    const s = tcp({ host: "127.0.0.1", port: tb.port });
    s.on("error", () => undefined);
    s.on("connect", () => {
      s.write(connectPacket({ clientId: id, clean: false, username: id, password: boardToken(id), keepaliveS: 2, will: will(id) }));
      // The client gives up before the broker has answered: CONNECT and FIN arrive together.
      // The broker runs on this thread: holding it a moment puts both in its socket buffer
      // before it reads, as in a storm where the CONNECT waited in the listen queue.
      if (endAtOnce) {
        s.end();
        const until = Date.now() + 20;
        while (Date.now() < until);
        resolve(s);
      }
    });
    s.on("data", (d: Buffer) => {
      if (d[0] === 0x20) resolve(s);
    });
  });
}

async function watcher() {
  const ada = await asUser(tb.port, "ada");
  const seen = collect(ada);
  await ada.subscribeAsync(t.status("+"), { qos: 1 });
  return seen;
}

it("does no work for a CONNECT whose client already closed the connection: no session, no will", async () => {
  const seen = await watcher();
  const connected: string[] = [];
  tb.broker.events.on("client-connected", (e: { clientId: string }) => connected.push(e.clientId));
  for (let i = 0; i < 20; i++) await rawBoard(`ab${i}`, true);
  await until(() => tb.logs.some((l) => typeof l.msg === "string" && l.msg.startsWith("CONNECTs not handled")), 3000);
  await sleep(300);
  expect(seen.filter((m) => m.topic.startsWith("bbb/ab"))).toEqual([]);
  expect(connected.filter((id) => id.startsWith("ab"))).toEqual([]);
  expect(tb.logs.some((l) => typeof l.msg === "string" && l.msg.startsWith("CONNECTs not handled"))).toBe(true);
  // The board's next CONNECT is handled as usual.
  const board = await asBoard(tb.port, "ab0");
  expect(board.connected).toBe(true);
});

it("drops the will of a board connection closed without a packet after its CONNACK", async () => {
  const seen = await watcher();
  const s = await rawBoard("quiet1", false);
  s.destroy();
  await until(() => tb.logs.some((l) => l.msg === "will of a board connection that never spoke after its CONNECT dropped" && l.clientId === "quiet1"), 3000);
  await sleep(200);
  expect(seen.filter((m) => m.topic === t.status("quiet1"))).toEqual([]);
});

it("publishes the will of a board that spoke and then died", async () => {
  const seen = await watcher();
  const s = await rawBoard("spoke1", false);
  // One PINGREQ: the connection was in use.
  s.write(Buffer.from([0xc0, 0x00]));
  await sleep(100);
  s.destroy();
  expect(await until(() => seen.some((m) => m.topic === t.status("spoke1")), 3000)).toBe(true);
  expect(seen.find((m) => m.topic === t.status("spoke1"))?.payload).toBe('{"state":"lost"}');
});
