import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Role } from "@bbb/shared";
import { ROOT, SECRET, closeAll, connect, granted, until } from "../../test/helpers.js";
import type { Broker } from "../types.js";
import { createUserStore, type UserStore } from "../user-store.js";
import { createThreadedBroker } from "./threaded-broker.js";

/**
 * The broker thread's cache of verified logins (verified-logins.ts), against the real thread
 * (the built broker-worker.js), real sockets and MQTT.js: the user store stays on this thread,
 * wrapped so that every password check the broker's thread asks for is counted, and can be held.
 */
const log = pino({ level: "silent" });
const PW = { otto: "operator-pass-1", ada: "admin-pass-12", root: "root-pass-123" } as const;
let dir: string;
let store: UserStore;
let broker: Broker | null;
let port: number;
/** Every ask of the broker's thread, by username. */
let asks: string[];
/** While set, a check's answer waits for it (the store was read when the check began). */
let hold: Promise<void> | null;
let failures: { username: string; reason: string }[];

/** The user store as the broker's thread sees it, with its checks counted and holdable. */
function wrapped(s: UserStore): Pick<UserStore, "has" | "verify" | "list" | "onChange"> {
  return {
    has: (u) => s.has(u),
    list: () => s.list(),
    onChange: (fn) => s.onChange(fn),
    async verify(username, password): Promise<Role | null> {
      asks.push(username);
      const gate = hold;
      const role = await s.verify(username, password);
      if (gate) await gate;
      return role;
    },
  };
}

async function startThread(workerFile?: URL): Promise<Broker> {
  const b = createThreadedBroker({ log, topicRoot: ROOT, fleetSecret: SECRET, users: wrapped(store), ...(workerFile ? { workerFile } : {}) });
  b.events.on("auth-failed", (e: { username: string; reason: string }) => failures.push({ username: e.username, reason: e.reason }));
  port = (await b.start({ mqttPort: 0, bind: "127.0.0.1" })).mqttPort;
  broker = b;
  return b;
}

const login = (username: string, password: string) => connect(port, { clientId: `${username}-${Math.random().toString(36).slice(2, 8)}`, username, password });
const BAD = /Bad username or password/i;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-thread-logins-"));
  store = createUserStore({ file: join(dir, "users.json"), log });
  await store.load();
  await store.upsert("otto", "operator", PW.otto);
  await store.upsert("ada", "admin", PW.ada);
  await store.upsert("root", "admin", PW.root);
  asks = [];
  hold = null;
  failures = [];
  broker = null;
});
afterEach(async () => {
  await closeAll();
  await broker?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("verified logins on the broker's thread", () => {
  it("answers a repeated login on the thread, with the role the owner gave", async () => {
    await startThread();
    await (await login("otto", PW.otto)).endAsync();
    await login("otto", PW.otto);
    await login("ada", PW.ada);
    const admin = await login("ada", PW.ada);
    expect(asks).toEqual(["otto", "ada"]);
    // The cached answer carries the role: an admin's rights, $SYS included.
    expect(await granted(admin, "$SYS/#")).toBe(true);
  });

  it("never caches a failure, and a cached login lets no other password through", async () => {
    await startThread();
    await expect(login("otto", "wrong-password-1")).rejects.toThrow(BAD);
    await expect(login("otto", "wrong-password-1")).rejects.toThrow(BAD);
    await login("otto", PW.otto);
    await expect(login("otto", "wrong-password-2")).rejects.toThrow(BAD);
    expect(asks).toEqual(["otto", "otto", "otto", "otto"]);
    // Refusals are still told and throttled as before (the second one waited out its back-off).
    expect(failures).toEqual([
      { username: "otto", reason: "bad-password" },
      { username: "otto", reason: "bad-password" },
      { username: "otto", reason: "bad-password" },
    ]);
  });

  it("ends a cached login at a password change: the old password fails at once", async () => {
    await startThread();
    await login("otto", PW.otto);
    await login("otto", PW.otto);
    await store.upsert("otto", "operator", "operator-pass-2");
    await expect(login("otto", PW.otto)).rejects.toThrow(BAD);
    await login("otto", "operator-pass-2");
    expect(asks).toEqual(["otto", "otto", "otto"]);
  });

  it("ends a cached login at a role change: the old role does not come back", async () => {
    await startThread();
    await login("ada", PW.ada);
    expect(await granted(await login("ada", PW.ada), "$SYS/#")).toBe(true);
    await store.upsert("ada", "operator");
    const demoted = await login("ada", PW.ada);
    expect(await granted(demoted, "$SYS/#")).toBe(false);
    expect(asks).toEqual(["ada", "ada"]);
  });

  it("ends a cached login at a removal, also for a user of the same name created again", async () => {
    await startThread();
    await login("otto", PW.otto);
    await store.remove("otto");
    await expect(login("otto", PW.otto)).rejects.toThrow(BAD);
    await store.upsert("otto", "viewer", "someone-else-1");
    await expect(login("otto", PW.otto)).rejects.toThrow(BAD);
    expect(asks).toEqual(["otto", "otto"]);
  });

  it("ends cached logins and takes the new names when the store is replaced by a snapshot (replaceAll)", async () => {
    await startThread();
    await login("otto", PW.otto);
    await login("otto", PW.otto);
    const manager = createUserStore({ file: join(dir, "manager.json"), log });
    await manager.replaceAll(store.snapshot());
    await manager.upsert("otto", "operator", "operator-pass-2");
    await manager.upsert("nina", "viewer", "viewer-pass-9");
    await store.replaceAll(manager.snapshot());
    await expect(login("otto", PW.otto)).rejects.toThrow(BAD);
    await login("otto", "operator-pass-2");
    // A user the snapshot brought is a user on the broker's thread at once.
    await login("nina", "viewer-pass-9");
    expect(asks).toEqual(["otto", "otto", "otto", "nina"]);
  });

  it("does not keep an answer whose check was overtaken by a change of the store", async () => {
    await startThread();
    let release = () => {};
    hold = new Promise((r) => (release = r));
    // Checked against the old password, held until the password has changed.
    const first = login("otto", PW.otto);
    expect(await until(() => asks.length === 1, 5000)).toBe(true);
    hold = null;
    await store.upsert("otto", "operator", "operator-pass-2");
    release();
    // The login in flight gets its answer (as before); the next one is asked again, and refused.
    await first;
    await expect(login("otto", PW.otto)).rejects.toThrow(BAD);
    expect(asks).toEqual(["otto", "otto"]);
  });

  it("gives a thread started again no answer to a login of the thread before it", async () => {
    await store.upsert("eve", "viewer", "viewer-pass-7");
    // The test's worker throws once told of a user named crash-now (broker/test/fixtures).
    const b = await startThread(new URL("../../test/fixtures/crashing-broker-worker.mjs", import.meta.url));
    let restarts = 0;
    b.events.on("restarted", () => restarts++);
    let releaseOtto = () => {};
    hold = new Promise((r) => (releaseOtto = r));
    // Its connection ends with the thread; its answer comes after.
    const lost = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: "otto-lost", username: "otto", password: PW.otto, reconnectPeriod: 0, protocolVersion: 4 });
    lost.on("error", () => undefined);
    expect(await until(() => asks.length === 1, 5000)).toBe(true);
    await store.upsert("crash-now", "viewer", "crash-now-password");
    expect(await until(() => restarts === 1, 10_000)).toBe(true);
    lost.end(true);
    // The new thread's first ask has the same number as the old thread's one still unanswered.
    let releaseEve = () => {};
    hold = new Promise((r) => (releaseEve = r));
    const eve = login("eve", "not-eves-password");
    expect(await until(() => asks.length === 2, 5000)).toBe(true);
    releaseOtto();
    await new Promise((r) => setImmediate(r));
    releaseEve();
    await expect(eve).rejects.toThrow(BAD);
  }, 30_000);
});
