import { mkdtemp, rm } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveBoardToken, deriveManagerPassword } from "@bbb/broker";
import { scaled, writeFigure } from "../../scripts/reliability.mjs";
import type { BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createProjectsExtension } from "../src/projects/projects-extension.js";
import { lineClient } from "./front-fixtures.js";
import { ADMIN_PASSWORD, FLEET_SECRET, captureLogger, request, topics, startTestServer } from "./helpers.js";

/**
 * RELIABILITY.md §"Attacks per role", what the earlier tests do not already cover (listed in
 * RELIABILITY.md): wrong credentials on every port at once with the slow-down measured per port,
 * secrets absent from the whole server's log, a viewer and an agent's credentials on every front
 * door, and slow-loris / idle connections on every port while real clients keep being served.
 */
const WRONG = "Wrong-Passw0rd-zz9";
const NEW_ADMIN_PW = "New-Admin-Pw-77x";
const BOARD = "a77ac4000001";
const IDLE = scaled(2000, 200);

describe("attacks against the running server", () => {
  let server: BbbServer;
  let dataDir: string;
  let ports: Record<string, number | null>;
  const cap = captureLogger("trace");
  const fig: Record<string, Record<string, number | string>> = { creds: {}, roles: {}, flood: {} };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bbb-rel-attack-"));
    const t = await startTestServer(
      { sftpPort: 0, logLevel: "trace" },
      { log: cap.log, dataDir, settleMs: 200, extensions: [createFrontExtension(), createProjectsExtension({ refreshIntervalMs: 3_600_000 })] },
    );
    server = t.server;
    ports = t.started.ports;
    await server.manager.service.users!.upsert("viewer1", "viewer", "viewer-password-1");
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
    writeFigure("attack-credentials", {
      kind: "attack",
      title: "Wrong or missing credentials on every port; slow-down per address",
      test: "manager/test/reliability-attacks.test.ts",
      claim: "Every port refuses; repeated wrong passwords from one address are answered later and later on every port (MQTT, REST, socket and SFTP; the manager's doors share one throttle, so the socket and SFTP series start at the ceiling); SFTP also drops the connection after its attempt limit.",
      figures: fig.creds!,
      coveredElsewhere: [
        "Agent cannot publish for another board, subscribe to its commands, publish commands or retained results: broker/test/acl.test.ts",
        "Only the manager publishes registry/ and manager/ topics; $SYS closed: broker/test/acl.test.ts",
        "A board's client id must equal its board id; a board id's client id and session are only the board's, a second connection takes over (repeated takeovers flag duplicate-connection): broker/test/auth.test.ts, broker/test/duplicate.test.ts, broker/test/trust-sessions.test.ts, broker/test/conformance.test.ts",
        "Agents read only their own type's project over SFTP when restricted; no exec, shell or forwarding: manager/test/sftp-access.test.ts",
        "Oversized MQTT packets on TCP and WebSocket: broker/test/packet-size.test.ts; over-long socket lines: manager/test/front-socket.test.ts; REST 413: manager/test/front-rest.test.ts",
        "Forged request identity is overwritten by the broker: broker/test/requests.test.ts",
        "Viewer refused commands and edits over MQTT requests: manager/test/requests.test.ts",
      ],
    });
    writeFigure("attack-roles", {
      kind: "attack",
      title: "A viewer, and a board's credentials, on every front door",
      test: "manager/test/reliability-attacks.test.ts",
      claim: "A viewer changes nothing through MQTT (commands, registry topics, requests), the socket or REST; a board's token opens nothing but its own MQTT topics; no secret appears in the server's trace-level log.",
      figures: fig.roles!,
    });
    writeFigure("attack-flood", {
      kind: "attack",
      title: "Idle and slow-loris connections on every port",
      test: "manager/test/reliability-attacks.test.ts",
      claim: "Thousands of idle and byte-dribbling connections spread over every port: bounded memory, a real client on each port keeps being served, and each port drops its dribblers at its pre-authentication limit (socket 10 s, SFTP 20 s, MQTT 30 s; HTTP: Node's 60 s header timeout).",
      fixed: ["SFTP: ssh2 reports a connection only after the client's identification line, so a client that connected and dribbled bytes was neither timed out nor counted; it is now dropped after the 20 s authentication timeout."],
      figures: fig.flood!,
    });
  });

  const http = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${ports.http}${path}`, init);
  const basic = (u: string, p: string) => ({ authorization: "Basic " + Buffer.from(`${u}:${p}`).toString("base64") });
  const mqttTry = (url: string, username?: string, password?: string, clientId = `x-${Math.random().toString(36).slice(2)}`) =>
    new Promise<string>((resolve) => {
      const c = mqtt.connect(url, { username, password, clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 15_000 });
      c.on("connect", () => (c.end(true), resolve("connected")));
      c.on("error", (e) => (c.end(true), resolve(e.message)));
    });
  const sftpTry = (username: string, password: string) =>
    new Promise<string>((resolve) => {
      const c = new ssh2.Client();
      c.on("ready", () => (c.end(), resolve("ready")));
      c.on("error", (e) => resolve(e.message));
      c.connect({ host: "127.0.0.1", port: ports.sftp!, username, password, readyTimeout: 15_000 });
    });
  const timed = async <T>(f: () => Promise<T>) => {
    const t = Date.now();
    const v = await f();
    return { v, ms: Date.now() - t };
  };

  it("never logs a secret: failed logins, a board with its token, an admin created, a token issued", { timeout: 60_000 }, async () => {
    const token = deriveBoardToken(FLEET_SECRET, BOARD);
    const mqttUrl = `mqtt://127.0.0.1:${ports.mqtt}`;
    expect(await mqttTry(mqttUrl, BOARD, token, BOARD)).toBe("connected");
    expect(await mqttTry(mqttUrl, BOARD, WRONG, BOARD)).not.toBe("connected");
    expect(await sftpTry(BOARD, token)).toBe("ready");
    const admin = await mqtt.connectAsync(mqttUrl, { username: "admin", password: ADMIN_PASSWORD, clientId: "adm-logs", protocolVersion: 4, reconnectPeriod: 0 });
    expect((await request(admin, "users.upsert", { username: "admin2", role: "admin", password: NEW_ADMIN_PW })).status).toBe("ok");
    await admin.endAsync(true);
    const tok = await http("/api/auth/token", { method: "POST", headers: basic("admin", ADMIN_PASSWORD) });
    const apiToken = ((await tok.json()) as { token: string }).token;
    expect((await http("/api/hosts", { headers: { authorization: `Bearer ${apiToken}` } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const text = cap.lines.map((l) => JSON.stringify(l)).join("\n");
    const secrets = { FLEET_SECRET, ADMIN_PASSWORD, WRONG, NEW_ADMIN_PW, token, managerPassword: deriveManagerPassword(FLEET_SECRET), apiToken };
    for (const [name, v] of Object.entries(secrets)) expect(text.includes(v), `${name} in the log`).toBe(false);
    fig.roles!["log lines captured (trace level)"] = cap.lines.length;
    fig.roles!["secrets found in them"] = 0;
  });

  it("gives a viewer nothing to change, over MQTT, requests, the socket and REST", { timeout: 60_000 }, async () => {
    const snap = () => JSON.stringify([server.manager.store.registry.listNodes(), server.manager.store.registry.listTypes(), server.manager.store.registry.listSectors()]);
    const before = snap();
    let refused = 0;
    const viewer = (id: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, { username: "viewer1", password: "viewer-password-1", clientId: id, protocolVersion: 4, reconnectPeriod: 0 });
    for (const [i, [t, p]] of ([
      [topics.cmd(BOARD, "reboot"), "{}"],
      [topics.registryHost(BOARD), "{}"],
      [topics.managerStatus(), '{"v":1,"state":"lost","ts":1}'],
    ] as const).entries()) {
      // The broker acknowledges and drops a user's refused publish (docs/protocol.md "Authentication and ACL").
      const c = await viewer(`v-pub-${i}`);
      c.on("error", () => undefined);
      await c.publishAsync(t, p, { qos: 1 });
      expect(c.connected).toBe(true);
      await c.endAsync(true);
      refused++;
    }
    const v = await viewer("v-attack");
    for (const [method, params] of [
      ["nodes.upsert", { hostname: "v-node", ip: { mode: "dhcp" }, type: "mbtemp" }],
      ["types.upsert", { name: "v-type" }],
      ["hosts.command", { id: BOARD, action: "reboot" }],
      ["users.upsert", { username: "v2", role: "admin", password: "whatever-pw-1" }],
    ] as const) {
      const r = await request(v, method, params);
      expect(r.error?.code, method).toBe("MGR_E_FORBIDDEN");
      refused++;
    }
    await v.endAsync(true);
    const s = await lineClient(ports.cmd!);
    s.send({ jsonrpc: "2.0", id: 0, method: "auth", params: { username: "viewer1", password: "viewer-password-1" } });
    await s.next((m) => m.id === 0);
    s.send({ jsonrpc: "2.0", id: 1, method: "types.upsert", params: { name: "v-type" } });
    expect((await s.next((m) => m.id === 1)).error.data.code).toBe("MGR_E_FORBIDDEN");
    refused++;
    s.close();
    const put = await http("/api/types/v-type", { method: "PUT", headers: { ...basic("viewer1", "viewer-password-1"), "content-type": "application/json" }, body: "{}" });
    expect(put.status).toBe(403);
    refused++;
    expect(snap()).toBe(before);
    fig.roles!["viewer attempts to change something"] = refused;
    fig.roles!["viewer attempts that changed something"] = 0;
  });

  it("gives a board's token nothing outside its own MQTT topics", { timeout: 30_000 }, async () => {
    const token = deriveBoardToken(FLEET_SECRET, BOARD);
    expect((await http("/api/hosts", { headers: basic(BOARD, token) })).status).toBe(401);
    expect((await http("/api/hosts", { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const s = await lineClient(ports.cmd!);
    s.send({ jsonrpc: "2.0", id: 1, method: "auth", params: { username: BOARD, password: token } });
    expect((await s.next((m) => m.id === 1, 20_000)).error.data.code).toBe("MGR_E_UNAUTHENTICATED");
    s.close();
    // As a user name over MQTT with another client id: refused (a board is its client id).
    expect(await mqttTry(`mqtt://127.0.0.1:${ports.mqtt}`, BOARD, token, "not-the-board")).not.toBe("connected");
    fig.roles!["board token on REST, socket, other client id"] = "refused";
  });

  it(`keeps serving real clients with ${IDLE} idle and slow-loris connections over every port`, { timeout: 120_000 }, async () => {
    const targets: [string, number, (s: Socket, i: number) => void][] = [
      // MQTT: a CONNECT header announcing 200 bytes, then one byte at a time.
      ["mqtt", ports.mqtt!, (s) => s.write(Buffer.from([0x10, 0xc8, 0x01]))],
      // HTTP: a request line, then header bytes one at a time.
      ["http", ports.http!, (s) => s.write("GET /api/hosts HTTP/1.1\r\nHost: x\r\n")],
      ["socket", ports.cmd!, (s) => s.write('{"jsonrpc":"2.0","id":1,')],
      ["sftp", ports.sftp!, (s) => s.write("SSH-2.0-")],
    ];
    const rss0 = process.memoryUsage().rss;
    const socks: { s: Socket; port: string; closedAt: number | null }[] = [];
    const t0 = Date.now();
    for (let i = 0; i < IDLE; i++) {
      const [name, port, open] = targets[i % targets.length]!;
      const s = netConnect({ host: "127.0.0.1", port });
      const e = { s, port: name, closedAt: null as number | null };
      s.on("error", () => undefined);
      s.on("close", () => (e.closedAt = Date.now()));
      // Read what the server sends (else its FIN waits behind unread data and 'close' never comes).
      s.resume();
      s.on("connect", () => open(s, i));
      socks.push(e);
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20));
    }
    const dribble = setInterval(() => {
      for (const e of socks) if (e.closedAt === null && !e.s.destroyed && e.s.writable) e.s.write(e.port === "mqtt" ? Buffer.from([0x00]) : "x");
    }, 1000);
    try {
      await new Promise((r) => setTimeout(r, 3000));
      // Real clients on every port while the flood holds.
      const served: Record<string, number> = {};
      const t = async (name: string, f: () => Promise<unknown>) => (served[name] = (await timed(f)).ms);
      await t("mqtt", async () => expect(await mqttTry(`mqtt://127.0.0.1:${ports.mqtt}`, "admin", ADMIN_PASSWORD)).toBe("connected"));
      await t("rest", async () => expect((await http("/api/hosts", { headers: basic("admin", ADMIN_PASSWORD) })).status).toBe(200));
      await t("socket", async () => {
        const c = await lineClient(ports.cmd!);
        c.send({ jsonrpc: "2.0", id: 1, method: "auth", params: { username: "admin", password: ADMIN_PASSWORD } });
        expect((await c.next((m) => m.id === 1, 20_000)).result).toBeDefined();
        c.close();
      });
      await t("sftp", async () => expect(await sftpTry(BOARD, deriveBoardToken(FLEET_SECRET, BOARD))).toBe("ready"));
      const growth = Math.round((process.memoryUsage().rss - rss0) / 1024 / 1024);
      fig.flood!["connections opened (spread over MQTT, HTTP, socket, SFTP)"] = IDLE;
      fig.flood!["still open after 3 s"] = socks.filter((e) => e.closedAt === null).length;
      for (const [k, v] of Object.entries(served)) fig.flood![`real ${k} client served in (ms)`] = v;
      fig.flood!["RSS growth of the server process (MB)"] = growth;
      expect(growth).toBeLessThan(400);
      // Who closes pre-auth dribblers, and when (documented timeouts: socket auth 10 s, SFTP 20 s, MQTT CONNECT 30 s).
      const wait = scaled(35_000, 12_000);
      await new Promise((r) => setTimeout(r, wait - (Date.now() - t0)));
      // Pre-authentication time limits: socket 10 s, SFTP 20 s, MQTT CONNECT 30 s (Aedes), HTTP headers 60 s (Node).
      const limitS: Record<string, number> = { socket: 10, sftp: 20, mqtt: 30, http: 60 };
      for (const [name] of targets) {
        const mine = socks.filter((e) => e.port === name);
        if (limitS[name]! + 3 < wait / 1000) expect(mine.filter((e) => e.closedAt === null).length, `${name} dribblers still open`).toBe(0);
        const closed = mine.filter((e) => e.closedAt !== null).map((e) => e.closedAt! - t0).sort((a, b) => a - b);
        if (closed.length > 0) fig.flood![`${name}: first / last dribbler closed after (ms)`] = `${closed[0]} / ${closed[closed.length - 1]}`;
        fig.flood![`${name}: dribblers closed by the server within ${Math.round(wait / 1000)} s`] = `${mine.filter((e) => e.closedAt !== null).length}/${mine.length}`;
      }
    } finally {
      clearInterval(dribble);
      for (const e of socks) e.s.destroy();
    }
  });
  it("refuses wrong and missing credentials on every port, slower with each failure", { timeout: 150_000 }, async () => {
    const mqttUrl = `mqtt://127.0.0.1:${ports.mqtt}`;
    const wsUrl = `ws://127.0.0.1:${ports.http}/mqtt`;
    expect(await mqttTry(mqttUrl)).not.toBe("connected");
    expect(await mqttTry(wsUrl, "admin", WRONG)).not.toBe("connected");
    expect((await http("/api/hosts")).status).toBe(401);
    const s = await lineClient(ports.cmd!);
    s.send({ jsonrpc: "2.0", id: 1, method: "hosts.list" });
    expect((await s.next((m) => m.id === 1)).error.data.code).toBe("MGR_E_UNAUTHENTICATED");
    s.close();
    expect(await sftpTry("admin", WRONG)).not.toBe("ready");
    // Repeated failures from one address: first and sixth answer per port.
    const series = async (name: string, attempt: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 4; i++) times.push((await timed(attempt)).ms);
      fig.creds![`${name}: 1st failure answered after (ms)`] = times[0]!;
      fig.creds![`${name}: 4th failure answered after (ms)`] = times[3]!;
      return times;
    };
    const m = await series("MQTT", () => mqttTry(mqttUrl, "admin", WRONG));
    const r = await series("REST", () => http("/api/hosts", { headers: basic("admin", WRONG) }).then((x) => expect(x.status).toBe(401)));
    // A new connection each time: the socket also closes one connection after 5 failures.
    const k = await series("socket", async () => {
      const sock = await lineClient(ports.cmd!);
      sock.send({ jsonrpc: "2.0", id: "a", method: "auth", params: { username: "admin", password: WRONG } });
      const r = await sock.next((x) => x.id === "a", 20_000);
      sock.close();
      expect(r.error.data.code).toBe("MGR_E_UNAUTHENTICATED");
    });
    const f = await series("SFTP", () => sftpTry("admin", WRONG));
    // One throttle for the manager's doors (REST, socket, SFTP) and the broker's own: the
    // answers grow to the 5 s ceiling (docs/protocol.md §"Login throttle").
    for (const t of [m, r, k, f]) expect(Math.max(...t)).toBeGreaterThan(900);
    // The right credentials still work from the same address (a slow-down, not a lock-out).
    expect(await mqttTry(mqttUrl, "admin", ADMIN_PASSWORD)).toBe("connected");
  });
});
