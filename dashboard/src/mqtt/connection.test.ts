// @vitest-environment node
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Aedes } from "aedes";
import { createServer } from "aedes-server-factory";
import { afterEach, describe, expect, it } from "vitest";
import { nextTick } from "vue";
import { createConnection, type Connection } from "./connection.js";

/** A real Aedes broker over WebSocket with username/password auth, on port 0 (or a given port). */
async function startBroker(port = 0) {
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      const ok = username === "op" && password?.toString() === "secret";
      if (ok) done(null, true);
      else done(Object.assign(new Error("bad credentials"), { returnCode: 4 }), false);
    },
  });
  const server = createServer(broker, { ws: true });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const addr = server.address() as AddressInfo;
  return {
    broker,
    port: addr.port,
    url: `ws://127.0.0.1:${addr.port}/mqtt`,
    async stop() {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function until(pred: () => boolean, ms = 8000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe("createConnection (real Aedes over WebSocket)", () => {
  it("connects, receives retained messages, reconnects after the broker restarts and re-subscribes", async () => {
    let b = await startBroker();
    const port = b.port;
    cleanup.push(() => b.stop());
    const seen: string[] = [];
    const conn: Connection = createConnection({ url: b.url, username: "op", password: "secret" }, { random: () => 0 });
    cleanup.push(() => conn.stop());
    conn.onMessage((topic, payload) => seen.push(`${topic}=${new TextDecoder().decode(payload)}`));
    conn.subscribe("bbb/registry/#");
    conn.start();
    expect(conn.status.value).toBe("connecting");
    await until(() => conn.status.value === "online");
    expect(conn.clientId).toMatch(/^dash-[0-9a-z]{12}$/);
    await conn.publish("bbb/registry/summary", "x");
    await until(() => seen.includes("bbb/registry/summary=x"));

    await b.stop();
    await until(() => conn.status.value === "reconnecting");
    expect(conn.lastOnline.value).not.toBeNull();
    b = await startBroker(port);
    b.broker.publish({ cmd: "publish", topic: "bbb/registry/hosts/a1", payload: Buffer.from("y"), qos: 1, retain: true, dup: false }, () => undefined);
    await until(() => conn.status.value === "online", 15_000);
    await until(() => seen.includes("bbb/registry/hosts/a1=y"));
  });

  it("stops retrying and says why when the credentials are refused", async () => {
    const b = await startBroker();
    cleanup.push(() => b.stop());
    const conn = createConnection({ url: b.url, username: "op", password: "wrong" });
    cleanup.push(() => conn.stop());
    conn.start();
    await until(() => conn.status.value === "offline" && conn.lastError.value !== null);
    await nextTick();
    expect(conn.lastError.value).toMatch(/refused these credentials/);
    await expect(conn.publish("a", "b")).rejects.toMatchObject({ code: "DASH_E_NOT_CONNECTED" });
  });
});
