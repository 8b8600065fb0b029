import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveBoardToken } from "@bbb/broker";
import { scaled, writeFigure } from "../../scripts/reliability.mjs";
import type { BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { ManagerErrorCodes } from "../src/errors.js";
import { lineClient, type LineClient } from "./front-fixtures.js";
import { ADMIN_PASSWORD, FLEET_SECRET, startSimBoard, topics, waitFor, type SimBoard, startTestServer } from "./helpers.js";

/**
 * RELIABILITY.md §"Bad input" against the real running pieces: garbage published through the real broker
 * into the real manager (board topics with a board's credentials, requests with a user's), and
 * garbage lines and bodies on the command socket and REST. Afterwards nothing stored has changed,
 * the live board is still online, and every answer carried a stable code.
 */
const N_MQTT = scaled(3000, 150);
const N_SOCKET = scaled(2000, 100);
const N_REST = scaled(600, 40);
const STABLE = new Set<string>([...Object.values(ManagerErrorCodes)]);
const GARBAGE_BOARD = "badb0a4d0001";

const tally = {
  mqtt: { published: 0, rejectedByIngest: 0, requests: 0, answered: 0, refusedByBroker: 0 },
  socket: { lines: 0, answers: 0, byCode: {} as Record<string, number> },
  rest: { requests: 0, byStatus: {} as Record<string, number> },
  rssGrowthMb: 0,
};
const bump = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1);

describe("manager under garbage on every front door", () => {
  let server: BbbServer;
  let dataDir: string;
  let ports: Record<string, number | null>;
  let board: SimBoard;
  let snapshot: () => string;
  let rss0 = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bbb-rel-input-"));
    const t = await startTestServer({ logLevel: "silent" }, { dataDir, extensions: [createFrontExtension()] });
    server = t.server;
    const s = t.started;
    ports = s.ports;
    const svc = server.manager.service;
    await svc.users!.upsert("viewer1", "viewer", "viewer-password-1");
    await svc.users!.upsert("op1", "operator", "operator-password-1");
    board = await startSimBoard(s.urls.mqtt, 901, { hostname: "rel-input-1", ip: "10.128.1.50" });
    const m = server.manager;
    await waitFor(() => m.registry.records.get(board.boardId)?.state === "unregistered", 10_000, "board up");
    // A node and a type, so edits would show.
    const admin = { username: "admin", role: "admin" as const, via: "socket" as const };
    await m.table.get("types.upsert")!.handler({ name: "mbtemp" }, admin);
    await m.table.get("nodes.upsert")!.handler({ hostname: "rel-input-1", ip: { mode: "manual", ip: "10.128.1.50", netmask: "255.255.255.0", gateway: "10.128.1.1" }, type: "mbtemp" }, admin);
    const store = m.store;
    snapshot = () =>
      JSON.stringify({
        nodes: store.registry.listNodes(),
        types: store.registry.listTypes(),
        sectors: store.registry.listSectors(),
        users: svc.users!.list().map((u) => [u.username, u.role]),
        edits: (store.flush(), store.history.query({ kind: ["registry"], limit: 5000 }).length),
      });
    rss0 = process.memoryUsage().rss;
  });
  afterAll(async () => {
    await board?.stop();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
    writeFigure("input-manager-front-doors", {
      kind: "input",
      title: "Manager: board topics, requests, socket lines and REST bodies against the running server",
      test: "manager/test/reliability-manager-input.test.ts",
      claim: "Registry, types, sectors, users and the audit trail are byte-for-byte unchanged after the MQTT and socket garbage (generated calls that a method's schema accepts are skipped: they are real edits); the live board stays online; every answer carries a stable MGR_E_* code; REST never answers 500 and no node changes (its 200s are reads, or generated bodies that happen to be a valid admin edit such as PUT /api/types/t1 with {}).",
      fixed: [
        "a viewer's manager request with 120,000 nested arrays (240 KB) killed the whole server: the broker's request stamp threw RangeError from JSON.stringify inside an Aedes hook; now refused.",
        "socket lines and REST bodies in Latin-1 or UTF-16 were stored with U+FFFD (a type's description); now MGR_E_PARSE_ERROR / 400.",
      ],
      figures: {
        "MQTT board-topic messages (own topics of a board)": tally.mqtt.published,
        "of which refused by the manager's ingest": tally.mqtt.rejectedByIngest,
        "MQTT requests sent": tally.mqtt.requests,
        "MQTT requests answered with an error": tally.mqtt.answered,
        "MQTT publishes the broker refused (connection closed)": tally.mqtt.refusedByBroker,
        "socket lines": tally.socket.lines,
        "socket answers": tally.socket.answers,
        ...Object.fromEntries(Object.entries(tally.socket.byCode).map(([k, v]) => [`socket ${k}`, v])),
        "REST requests": tally.rest.requests,
        ...Object.fromEntries(Object.entries(tally.rest.byStatus).map(([k, v]) => [`REST status ${k}`, v])),
        "RSS growth (MB)": tally.rssGrowthMb,
      },
    });
  });

  /** A client that comes back by itself: the broker closes a connection whose publish it refuses. */
  async function resilient(username: string, password: string, clientId: string): Promise<MqttClient> {
    const c = mqtt.connect(`mqtt://127.0.0.1:${ports.mqtt}`, { username, password, clientId, protocolVersion: 4, reconnectPeriod: 50 });
    await new Promise<void>((r) => c.once("connect", () => r()));
    c.on("error", () => undefined);
    return c;
  }
  const connected = (c: MqttClient) => waitFor(() => c.connected, 10_000, "reconnect");

  it(`board topics: ${N_MQTT} garbage messages with a board's own credentials`, { timeout: 120_000 }, async () => {
    const before = snapshot();
    const ingest = server.manager.ingest;
    const rejected0 = ingest.rejectedCount();
    const c = await resilient(GARBAGE_BOARD, deriveBoardToken(FLEET_SECRET, GARBAGE_BOARD), GARBAGE_BOARD);
    const own = fc.constantFrom(topics.status(GARBAGE_BOARD), topics.heartbeat(GARBAGE_BOARD), topics.log(GARBAGE_BOARD), topics.result(GARBAGE_BOARD, "r-1"));
    const hb = { v: 1, id: GARBAGE_BOARD, session: "s", seq: 1, ts: 1, hostname: "rel-input-1", ip: "10.128.1.50", type: "mbtemp", uptime: 1 };
    const payload = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 600 }).map((b) => Buffer.from(b)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
      fc.record({ k: fc.constantFrom(...Object.keys(hb)), v: fc.jsonValue({ maxDepth: 2 }) }).map(({ k, v }) => Buffer.from(JSON.stringify({ ...hb, [k]: v }))),
      fc.constantFrom(
        Buffer.from("[".repeat(100_000) + "]".repeat(100_000)),
        Buffer.from(JSON.stringify({ ...hb, details: "x".repeat(200_000) })),
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(hb), "utf16le")]),
        Buffer.from(JSON.stringify({ ...hb, id: board.boardId })),
        Buffer.from(JSON.stringify({ v: 1, state: "lost", session: "other", ts: 1 })),
      ),
    );
    for (const [topic, body] of fc.sample(fc.tuple(own, payload), N_MQTT)) {
      // A valid heartbeat of this board would legitimately register it: the point is garbage.
      if (topic === topics.heartbeat(GARBAGE_BOARD)) {
        try {
          const v = JSON.parse(body.toString("utf8")) as { hostname?: unknown; v?: unknown; id?: unknown };
          if (v && v.v === 1 && v.id === GARBAGE_BOARD && typeof v.hostname === "string" && !String(body).includes("\ufffd")) continue;
        } catch {
          /* garbage it is */
        }
      }
      if (!c.connected) await connected(c);
      tally.mqtt.published++;
      c.publish(topic, body, { qos: 0, retain: false });
    }
    await c.publishAsync(topics.log(GARBAGE_BOARD), "{}", { qos: 1 });
    await c.endAsync(true);
    // The manager saw everything it will see; the live board is untouched.
    await new Promise((r) => setTimeout(r, 500));
    tally.mqtt.rejectedByIngest = ingest.rejectedCount() - rejected0;
    expect(tally.mqtt.rejectedByIngest).toBeGreaterThan(0);
    expect(server.manager.registry.records.get(board.boardId)?.state).toBe("online");
    expect(snapshot()).toBe(before);
  });

  it("requests: garbage on manager/request/<method> from a viewer and an operator", { timeout: 120_000 }, async () => {
    const before = snapshot();
    const table = server.manager.table;
    const names = [...table.keys()];
    const clients = [await resilient("viewer1", "viewer-password-1", "rel-viewer"), await resilient("op1", "operator-password-1", "rel-op")];
    // Payloads that are not a JSON object go on a connection of their own: the broker closes it.
    const rawClient = await resilient("viewer1", "viewer-password-1", "rel-raw");
    let refusedByBroker = 0;
    rawClient.on("close", () => refusedByBroker++);
    const answers = new Map<string, { status: string; error?: { code: string } }>();
    for (const c of clients) {
      c.on("message", (_t, p) => {
        const r = JSON.parse(p.toString()) as { transaction: string; status: string; error?: { code: string } };
        answers.set(r.transaction, r);
      });
      await c.subscribeAsync(topics.managerResponse(c.options.clientId as string), { qos: 1 });
    }
    const method = fc.oneof(fc.constantFrom(...names), fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[/+#\0]/.test(s)));
    const params = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant("[".repeat(50) + "]".repeat(50)));
    const expectAnswer: string[] = [];
    let i = 0;
    for (const [m, p, who, raw] of fc.sample(fc.tuple(method, params, fc.nat(1), fc.nat(29)), Math.round(N_MQTT / 3))) {
      const def = table.get(m);
      // Params a method accepts from an operator are a real edit, not garbage.
      if (def && def.params.safeParse(p).success && who === 1) continue;
      const c = clients[who]!;
      const transaction = `t${i++}`;
      tally.mqtt.requests++;
      if (raw === 0) {
        // Not a JSON object: the broker refuses to stamp it and closes the connection.
        if (!rawClient.connected) await connected(rawClient);
        rawClient.publish(topics.managerRequest(m), Buffer.from(JSON.stringify(p) ?? "x"), { qos: 0 });
        continue;
      }
      expectAnswer.push(transaction);
      await c.publishAsync(topics.managerRequest(m), JSON.stringify({ transaction, params: p }), { qos: 1 });
    }
    // 120,000 nested arrays (240 KB, under the packet limit): the broker's stamp must not die on it.
    if (!rawClient.connected) await connected(rawClient);
    rawClient.publish(topics.managerRequest("hosts.list"), `{"transaction":"deep","params":${"[".repeat(120_000)}${"]".repeat(120_000)}}`, { qos: 0 });
    await new Promise((r) => setTimeout(r, 200));
    await connected(rawClient);
    const viewer = clients[0]!;
    const last = `t${i++}`;
    await viewer.publishAsync(topics.managerRequest("server.info"), JSON.stringify({ transaction: last }), { qos: 1 });
    await waitFor(() => answers.get(last), 15_000, "server.info after the garbage");
    expect(answers.get(last)?.status).toBe("ok");
    await waitFor(() => expectAnswer.every((t) => answers.has(t)) || null, 20_000, "every request answered");
    for (const t of expectAnswer) {
      const a = answers.get(t)!;
      if (a.status === "error") {
        tally.mqtt.answered++;
        expect(STABLE.has(a.error!.code), JSON.stringify(a)).toBe(true);
        expect(a.error!.code).not.toBe(ManagerErrorCodes.INTERNAL);
      }
    }
    tally.mqtt.refusedByBroker = refusedByBroker;
    for (const c of [...clients, rawClient]) await c.endAsync(true);
    expect(snapshot()).toBe(before);
  });

  it(`socket: ${N_SOCKET} garbage lines on one authenticated connection`, { timeout: 120_000 }, async () => {
    const before = snapshot();
    const table = server.manager.table;
    const names = [...table.keys()];
    const c: LineClient = await lineClient(ports.cmd!);
    c.send({ jsonrpc: "2.0", id: "auth", method: "auth", params: { username: "admin", password: ADMIN_PASSWORD } });
    expect((await c.next((m) => m.id === "auth")).result).toMatchObject({ role: "admin" });
    const rpc = fc.record({
      jsonrpc: fc.oneof(fc.constant("2.0"), fc.jsonValue()),
      id: fc.oneof(fc.nat(), fc.string({ maxLength: 10 }), fc.constant(null), fc.jsonValue()),
      method: fc.oneof(fc.constantFrom(...names, "auth", "events.subscribe"), fc.string({ maxLength: 20 })),
      params: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }))),
    });
    const line = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 400 }).map((b) => Buffer.from(b.map((x) => (x === 10 ? 32 : x)))),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
      rpc.map((r) => Buffer.from(JSON.stringify(r))),
      fc.constantFrom(
        Buffer.from("[".repeat(100_000) + "]".repeat(100_000)),
        Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"hosts.list","params":{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`),
        Buffer.from(`[${Array(500).fill('{"jsonrpc":"2.0","id":1,"method":"server.info"}').join(",")}]`),
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"jsonrpc":"2.0","id":1,"method":"server.info"}', "utf16le").map((b) => (b === 10 ? 32 : b))]),
        Buffer.from('{"jsonrpc":"2.0","id":7,"method":"types.upsert","params":{"name":"bad\xff"}}', "latin1"),
      ),
    );
    let answers = 0;
    c.socket.on("data", (d: Buffer) => {
      answers += d.toString("utf8").split("\n").length - 1;
    });
    for (const l of fc.sample(line, N_SOCKET)) {
      try {
        const v = JSON.parse(l.toString("utf8")) as { method?: string; params?: unknown; jsonrpc?: unknown };
        const def = v && typeof v === "object" && typeof v.method === "string" ? table.get(v.method) : undefined;
        // A valid call an admin may make is a real edit, not garbage; auth would switch the user.
        if (v && (v as { method?: string }).method === "auth") continue;
        if (def && def.params.safeParse(v.params ?? {}).success) continue;
      } catch {
        /* not JSON: garbage */
      }
      tally.socket.lines++;
      c.socket.write(Buffer.concat([l, Buffer.from("\n")]));
      if (tally.socket.lines % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    c.send({ jsonrpc: "2.0", id: "sentinel", method: "server.info" });
    const s = await c.next((m) => m?.id === "sentinel", 30_000);
    expect(s.result).toBeDefined();
    tally.socket.answers = answers;
    // Drain what came before the sentinel and tally the codes.
    for (;;) {
      const m = await c.next(() => true, 50).catch(() => null);
      if (m === null) break;
      for (const r of Array.isArray(m) ? m : [m]) {
        const code = r?.error?.data?.code as string | undefined;
        if (code) {
          bump(tally.socket.byCode, code);
          expect(STABLE.has(code), JSON.stringify(r)).toBe(true);
          expect(code, JSON.stringify(r)).not.toBe(ManagerErrorCodes.INTERNAL);
        }
      }
    }
    c.close();
    // Wrong encodings in a field the schema would take (free text): refused, nothing stored.
    const enc: LineClient = await lineClient(ports.cmd!);
    enc.send({ jsonrpc: "2.0", id: "auth", method: "auth", params: { username: "admin", password: ADMIN_PASSWORD } });
    await enc.next((m) => m.id === "auth");
    for (const [id, bytes] of [
      ["latin1", Buffer.from('{"jsonrpc":"2.0","id":"latin1","method":"types.upsert","params":{"name":"enc-test","description":"caf\xe9"}}\n', "latin1")],
      ["utf16", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"jsonrpc":"2.0","id":"utf16","method":"types.upsert","params":{"name":"enc-test"}}', "utf16le").map((b) => (b === 10 ? 32 : b)), Buffer.from("\n")])],
    ] as const) {
      tally.socket.lines++;
      enc.socket.write(bytes);
      const r = await enc.next(() => true, 10_000);
      expect(r.error?.data?.code, `${id}: ${JSON.stringify(r)}`).toBe(ManagerErrorCodes.PARSE_ERROR);
    }
    expect(server.manager.registry.types.has("enc-test")).toBe(false);
    enc.close();
    expect(snapshot()).toBe(before);
  });

  it(`REST: ${N_REST} garbage bodies, paths and headers`, { timeout: 120_000 }, async () => {
    const before = snapshot();
    const auth = "Basic " + Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64");
    const paths = ["/api/nodes/x-1", "/api/types/t1", "/api/sectors/s1", "/api/users/u1", "/api/hosts/a0f6fd8b1c22/commands/reboot", "/api/commands", "/api/nodes/x-1/bind", "/api/auth/token", "/api/hosts?state=zzz&limit=-1", "/api/history?limit=1e9&kind=%00"];
    const req = fc.record({
      verb: fc.constantFrom("POST", "PUT", "DELETE", "GET", "PATCH"),
      path: fc.oneof(fc.constantFrom(...paths), fc.string({ maxLength: 30 }).map((s) => "/api/" + encodeURIComponent(s))),
      body: fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? "")),
        fc.constantFrom(Buffer.from("[".repeat(100_000) + "]".repeat(100_000)), Buffer.from('{"name":"t1","description":"\xff\xfe"}', "latin1"), Buffer.from('{"description":"' + "x".repeat(2_000_000) + '"}')),
      ),
      type: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", ""),
    });
    for (const r of fc.sample(req, N_REST)) {
      tally.rest.requests++;
      const status = await new Promise<number>((resolve, reject) => {
        const q = httpRequest(
          { host: "127.0.0.1", port: ports.http!, method: r.verb, path: r.path, headers: { authorization: auth, "content-type": r.type, "content-length": r.body.length } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        q.on("error", reject);
        q.end(r.body);
      }).catch(() => -1);
      bump(tally.rest.byStatus, String(status));
      expect(status, `${r.verb} ${r.path}`).not.toBe(500);
    }
    // A body in the wrong encoding, for a field the schema would take: 400, nothing stored.
    const latin1 = await new Promise<number>((resolve, reject) => {
      const body = Buffer.from('{"description":"caf\xe9"}', "latin1");
      const q = httpRequest({ host: "127.0.0.1", port: ports.http!, method: "PUT", path: "/api/types/enc-test", headers: { authorization: auth, "content-type": "application/json", "content-length": body.length } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      q.on("error", reject);
      q.end(body);
    });
    tally.rest.requests++;
    bump(tally.rest.byStatus, String(latin1));
    expect(latin1).toBe(400);
    expect(server.manager.registry.types.has("enc-test")).toBe(false);
    // Real edits are impossible from garbage except by chance matching a schema: the names used
    // above (x-1, t1, s1, u1) do not exist, and the snapshot must not move.
    const after = snapshot();
    expect(JSON.parse(after).nodes).toEqual(JSON.parse(before).nodes);
    tally.rssGrowthMb = Math.round((process.memoryUsage().rss - rss0) / 1024 / 1024);
    expect(tally.rssGrowthMb).toBeLessThan(300);
    expect(server.manager.registry.records.get(board.boardId)?.state).toBe("online");
  });
});
