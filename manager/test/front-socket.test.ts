import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventBus, type EventBus, type StateChangeEvent } from "../src/service/events.js";
import { createRpcSocketServer, type RpcSocketServer } from "../src/front/socket/rpc-socket-server.js";
import { createTokenService } from "../src/front/tokens.js";
import { authenticate, byId, lineClient, makeMethods, silentLog, type LineClient } from "./front-fixtures.js";

const tokens = createTokenService({ secret: "test-secret" });

describe("command socket", () => {
  let server: RpcSocketServer;
  let events: EventBus;
  let port: number;
  const clients: LineClient[] = [];
  const client = async () => {
    const c = await lineClient(port);
    clients.push(c);
    return c;
  };
  const login = async (user: string, pw: string) => {
    const c = await client();
    c.send({ jsonrpc: "2.0", id: "a", method: "auth", params: { username: user, password: pw } });
    const r = await c.next(byId("a"));
    expect(r.result).toEqual({ username: user, role: expect.any(String) });
    return c;
  };

  beforeEach(async () => {
    events = createEventBus();
    server = createRpcSocketServer({
      methods: makeMethods({ failBoards: new Set(["b0004"]) }),
      authenticate,
      events,
      tokens,
      log: silentLog,
      limits: { maxLineBytes: 4096, authTimeoutMs: 1500 },
      throttle: { blockedFor: () => 0, begin: () => 0, end: () => {}, fail: () => 10, succeed: () => {}, size: () => 0 },
    });
    ({ port } = await server.start({ port: 0, bind: "127.0.0.1" }));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.stop();
  });

  it("refuses calls before auth and accepts a token", async () => {
    const c = await client();
    c.send({ jsonrpc: "2.0", id: 1, method: "hosts.list" });
    const r = await c.next(byId(1));
    expect(r.error).toMatchObject({ code: -32001, data: { code: "MGR_E_UNAUTHENTICATED" } });
    c.send({ jsonrpc: "2.0", id: 2, method: "auth", params: { token: tokens.issue("tok", "viewer").token } });
    expect((await c.next(byId(2))).result).toEqual({ username: "tok", role: "viewer" });
    c.send({ jsonrpc: "2.0", id: 3, method: "auth", params: { token: "forged.token" } });
    expect((await c.next(byId(3))).error.code).toBe(-32001);
  });

  it("answers invalid params with zod issue paths, not found and conflict with codes", async () => {
    const c = await login("operator", "op-pw");
    c.send({ jsonrpc: "2.0", id: 1, method: "hosts.list", params: { state: ["nope"] } });
    const bad = await c.next(byId(1));
    expect(bad.error.code).toBe(-32602);
    expect(bad.error.data.code).toBe("MGR_E_INVALID_PARAMS");
    expect(bad.error.data.issues[0].path).toEqual(["state", 0]);
    c.send({ jsonrpc: "2.0", id: 2, method: "hosts.get", params: { id: "zzz" } });
    expect((await c.next(byId(2))).error).toMatchObject({ code: -32004, data: { code: "MGR_E_NOT_FOUND" } });
    c.send({ jsonrpc: "2.0", id: 3, method: "types.upsert", params: { name: "x", create: true } });
    await c.next(byId(3));
    c.send({ jsonrpc: "2.0", id: 4, method: "types.upsert", params: { name: "x", create: true } });
    expect((await c.next(byId(4))).error).toMatchObject({ code: -32009, data: { code: "MGR_E_CONFLICT" } });
  });

  it("never leaks internal error text", async () => {
    const c = await login("viewer", "view-pw");
    c.send({ jsonrpc: "2.0", id: 1, method: "server.boom" });
    const r = await c.next(byId(1));
    expect(r.error).toEqual({ code: -32603, message: "internal error", data: { code: "MGR_E_INTERNAL" } });
    expect(JSON.stringify(r)).not.toContain("secret");
  });

  it("handles batches, notifications and invalid requests", async () => {
    const c = await login("viewer", "view-pw");
    c.send([
      { jsonrpc: "2.0", id: 1, method: "hosts.get", params: { id: "b0001" } },
      { jsonrpc: "2.0", method: "hosts.list" },
      { jsonrpc: "1.0", id: 3, method: "x" },
      { jsonrpc: "2.0", id: 4, method: "nope" },
    ]);
    const batch = await c.next(Array.isArray);
    expect(batch).toHaveLength(3);
    expect(batch[0].result.id).toBe("b0001");
    expect(batch[1]).toMatchObject({ id: 3, error: { code: -32600 } });
    expect(batch[2]).toMatchObject({ id: 4, error: { code: -32601, data: { code: "MGR_E_UNKNOWN_METHOD" } } });
    c.send([]);
    expect((await c.next()).error.code).toBe(-32600);
  });

  it("discards an over-long line with a parse error and keeps the connection", async () => {
    const c = await login("viewer", "view-pw");
    c.send(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "hosts.list", params: { sector: "x".repeat(10_000) } }));
    const r = await c.next();
    expect(r).toMatchObject({ id: null, error: { code: -32700, data: { code: "MGR_E_PARSE_ERROR" } } });
    c.send({ jsonrpc: "2.0", id: 10, method: "hosts.list", params: { sector: "1" } });
    expect((await c.next(byId(10))).result.length).toBeGreaterThan(0);
  });

  it("streams progress of bulk commands and filtered events", async () => {
    const c = await login("operator", "op-pw");
    c.send({
      jsonrpc: "2.0",
      id: "s",
      method: "events.subscribe",
      params: { filter: { states: ["lost"], sectors: ["3"] } },
    });
    expect((await c.next(byId("s"))).result.subscribed).toBe(true);
    const ev = (to: StateChangeEvent["to"], sector: string): StateChangeEvent => ({
      kind: "state-change",
      boardId: "b1",
      hostname: "h",
      sector,
      type: "mbtemp",
      from: "online",
      to,
      problems: [],
      ts: 1,
    });
    events.emit(ev("online", "3"));
    events.emit(ev("lost", "4"));
    events.emit(ev("lost", "3"));
    const n = await c.next((m) => m.method === "events.stateChange");
    expect(n.params).toMatchObject({ to: "lost", sector: "3" });
    c.send({
      jsonrpc: "2.0",
      id: "cmd",
      method: "hosts.command",
      params: { action: "reboot", boardIds: ["b0001", "b0004"] },
    });
    const p1 = await c.next((m) => m.method === "progress");
    expect(p1.params).toMatchObject({ id: "cmd", done: 1, total: 2 });
    const done = await c.next(byId("cmd"));
    expect(done.result.results.map((x: { status: string }) => x.status)).toEqual(["succeeded", "failed"]);
    c.send({ jsonrpc: "2.0", id: "u", method: "events.unsubscribe" });
    await c.next(byId("u"));
    events.emit(ev("lost", "3"));
    c.send({ jsonrpc: "2.0", id: "after", method: "methods.list" });
    const after = await c.next(byId("after"));
    expect(after.result.map((m: { name: string }) => m.name)).toContain("hosts.command");
    await expect(c.next((m) => m.method === "events.stateChange", 200)).rejects.toThrow("timeout");
  });

  it("closes a connection that does not authenticate in time, and after repeated failures", async () => {
    const idle = await client();
    const r = await idle.next(undefined, 4000);
    expect(r.error.data.code).toBe("MGR_E_UNAUTHENTICATED");
    await idle.closed;
    const c = await client();
    for (let i = 0; i < 5; i++)
      c.send({ jsonrpc: "2.0", id: i, method: "auth", params: { username: "admin", password: "wrong" } });
    for (let i = 0; i < 5; i++) expect((await c.next(byId(i))).error.code).toBe(-32001);
    await c.closed;
  });
});

describe("command socket answers", () => {
  it("sends an answer larger than the write budget to a reading client", async () => {
    const { makeHosts } = await import("./front-fixtures.js");
    const server = createRpcSocketServer({
      methods: makeMethods({ hosts: makeHosts(20_000) }),
      authenticate,
      log: silentLog,
      limits: { maxBufferedBytes: 64 * 1024 },
    });
    const { port } = await server.start({ port: 0, bind: "127.0.0.1" });
    const c = await lineClient(port);
    try {
      c.send({ jsonrpc: "2.0", id: "a", method: "auth", params: { username: "viewer", password: "view-pw" } });
      await c.next(byId("a"));
      c.send({ jsonrpc: "2.0", id: "big", method: "hosts.list" });
      const r = await c.next(byId("big"), 10_000);
      expect(r.result).toHaveLength(20_000);
    } finally {
      c.close();
      await server.stop();
    }
  });
});
