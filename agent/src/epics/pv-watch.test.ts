import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startCaServer, type CaServer } from "../../test/helpers/ca-server.js";
import { createPvWatch } from "./pv-watch.js";

const log = pino({ level: "silent" });

/** Waits (bounded) for a condition that depends on CA messages in flight. */
async function until(cond: () => boolean, tries = 200): Promise<void> {
  for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe("createPvWatch against the test CA server", () => {
  const servers: CaServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  const P = `W${process.pid}:`;

  it("answers, silent, heartbeat pending → ok → stuck, silent when the server dies, ok when it is back", async () => {
    let t = 1_000_000;
    const srv = await startCaServer({ pvs: [{ name: `${P}Hb`, type: "long", value: 0 }, { name: `${P}C`, type: "double", value: 1.5 }] });
    servers.push(srv);
    const port = srv.port;
    const w = createPvWatch({ destinations: () => [{ host: "127.0.0.1", port }], timeoutMs: 200, clientName: "t", hostName: "h", now: () => t, log });
    const names = [`${P}Hb`, `${P}C`, `${P}Missing`];
    expect(w.report(`${P}C`, undefined).state).toBe("pending");
    await w.poll(names);
    expect(w.report(`${P}C`, undefined)).toMatchObject({ state: "ok", servers: [`127.0.0.1:${port}`] });
    await until(() => w.report(`${P}C`, undefined).value === "1.5");
    expect(w.report(`${P}Missing`, undefined)).toMatchObject({ state: "silent", servers: [] });
    expect(w.report(`${P}Hb`, 5).state).toBe("pending");
    await until(() => w.report(`${P}Hb`, 5).value === "0");
    srv.set(`${P}Hb`, 1);
    await until(() => w.report(`${P}Hb`, 5).value === "1");
    t += 4000;
    expect(w.report(`${P}Hb`, 5)).toMatchObject({ state: "ok", changedAt: 1_000_000, heartbeatS: 5 });
    t += 2000;
    expect(w.report(`${P}Hb`, 5).state).toBe("stuck");
    await srv.close();
    servers.length = 0;
    await until(() => w.report(`${P}C`, undefined).state === "silent");
    await w.poll(names);
    expect(w.report(`${P}Hb`, 5).state).toBe("silent");
    const again = await startCaServer({ port, pvs: [{ name: `${P}Hb`, type: "long", value: 7 }, { name: `${P}C`, type: "double", value: 1.5 }] });
    servers.push(again);
    await w.poll(names);
    expect(w.report(`${P}C`, undefined).state).toBe("ok");
    expect(w.report(`${P}Hb`, 5).state).toBe("pending");
    // The monitor is in place once its first value is here; only then is a new value a change.
    await until(() => w.report(`${P}Hb`, 5).value === "7");
    again.set(`${P}Hb`, 8);
    await until(() => w.report(`${P}Hb`, 5).state === "ok");
    w.close();
  });

  /** Two servers answering one name, and a watch searching both. */
  async function twoServers(name: string, isLocal?: (server: string) => boolean) {
    const a = await startCaServer({ pvs: [{ name, type: "long", value: 1 }] });
    const b = await startCaServer({ pvs: [{ name, type: "long", value: 2 }] });
    servers.push(a, b);
    const w = createPvWatch({
      destinations: () => [{ host: "127.0.0.1", port: a.port }, { host: "127.0.0.1", port: b.port }],
      timeoutMs: 200,
      clientName: "t",
      hostName: "h",
      now: () => 0,
      log,
      ...(isLocal ? { isLocal } : {}),
    });
    const sorted = [a, b].sort((x, y) => `127.0.0.1:${x.port}`.localeCompare(`127.0.0.1:${y.port}`));
    return { w, sorted };
  }

  it("lists every server that answers a name (a duplicate PV)", async () => {
    const { w, sorted } = await twoServers(`${P}Dup`);
    await w.poll([`${P}Dup`]);
    expect(w.report(`${P}Dup`, undefined).servers).toEqual(sorted.map((s) => `127.0.0.1:${s.port}`));
    w.close();
  });

  it("prefers the board's own server when several answer", async () => {
    // Both listen on 127.0.0.1: here the later one in sort order is "the board's own".
    let own = "";
    const { w, sorted } = await twoServers(`${P}Own`, (s) => s === own);
    const ownServer = sorted[1];
    own = `127.0.0.1:${ownServer?.port ?? 0}`;
    await w.poll([`${P}Own`]);
    await until(() => w.report(`${P}Own`, undefined).value === String(ownServer?.get(`${P}Own`)));
    w.close();
  });
});
