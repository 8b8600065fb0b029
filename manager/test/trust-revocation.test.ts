import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { pino } from "pino";
import SftpClient from "ssh2-sftp-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFigure } from "../../scripts/reliability.mjs";
import { configSchema } from "../src/config/schema.js";
import { createServer, type BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createOpsExtension } from "../src/ops/ops-extension.js";
import { createProjectsExtension } from "../src/projects/projects-extension.js";
import { bbbctl } from "./cli-runner.js";
import { byId, lineClient } from "./front-fixtures.js";
import { ADMIN_PASSWORD, FLEET_SECRET, connectClient, request } from "./helpers.js";

const PW = "operator-password-1";

/**
 * Tokens and sessions that outlive their user: a removed, re-passworded or demoted user keeps
 * nothing, on any door, and a token never mints its successor.
 */
describe("sessions end with their user on every door", () => {
  let dir: string;
  let server: BbbServer;
  let ports: Record<string, number | null>;
  let admin: MqttClient;
  const figures: Record<string, number | string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-revoke-"));
    const config = configSchema.parse({
      mqttPort: 0, httpPort: 0, cmdPort: 0, sftpPort: 0, bind: "127.0.0.1", dataDir: join(dir, "data"),
      fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD,
    });
    server = createServer({ config, log: pino({ level: "silent" }), staticDir: null, settleMs: 100,
      extensions: [createFrontExtension(), createProjectsExtension({ refreshIntervalMs: 3_600_000 }), createOpsExtension()] });
    ports = (await server.start()).ports;
    admin = await connectClient(`mqtt://127.0.0.1:${ports.mqtt}`, "admin", ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await admin?.endAsync();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    writeFigure("attack-revocation", {
      kind: "attack",
      title: "A removed, re-passworded or demoted user: time until every door refuses",
      test: "manager/test/trust-revocation.test.ts",
      claim: "Bearer tokens, socket, MQTT and SFTP connections of the user end within 1 s; a token cannot mint another.",
      figures,
    });
  });

  const http = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${ports.http}${path}`, init);
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}` });
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const admin_ = async (method: string, params: unknown) => {
    const r = await request(admin, method, params);
    if (r.status !== "ok") throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const mint = async (headers: Record<string, string>) => {
    const r = await http("/api/auth/token", { method: "POST", headers });
    return { status: r.status, token: r.status === 200 ? ((await r.json()) as { token: string }).token : null };
  };

  /** Every door of one user, opened with the password or a token. */
  async function openDoors(user: string) {
    const token = (await mint(basic(user, PW))).token!;
    const mqttClient = await connectClient(`mqtt://127.0.0.1:${ports.mqtt}`, user, PW);
    const sock = await lineClient(ports.cmd!);
    sock.send({ jsonrpc: "2.0", id: 1, method: "auth", params: { token } });
    expect((await sock.next(byId(1))).result).toMatchObject({ username: user });
    const sftp = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    await sftp.connect({ host: "127.0.0.1", port: ports.sftp!, username: user, password: PW });
    const sftpClosed = new Promise<number>((r) => sftp.client.once("close", () => r(Date.now())));
    const mqttClosed = new Promise<number>((r) => mqttClient.once("close", () => r(Date.now())));
    const sockClosed = sock.closed.then(() => Date.now());
    expect((await http("/api/hosts", { headers: bearer(token) })).status).toBe(200);
    return { token, mqttClient, sftpClosed, mqttClosed, sockClosed };
  }

  it("a token never mints another: /api/auth/token takes the password only", async () => {
    await admin_("users.upsert", { username: "op0", role: "operator", password: PW });
    const first = await mint(basic("op0", PW));
    expect(first.status).toBe(200);
    expect((await mint(bearer(first.token!))).status).toBe(401);
  });

  for (const [what, change] of [
    ["removed", (u: string) => admin_("users.remove", { username: u })],
    ["given a new password", (u: string) => admin_("users.upsert", { username: u, role: "operator", password: "another-password-2" })],
    ["demoted", (u: string) => admin_("users.upsert", { username: u, role: "viewer" })],
  ] as const) {
    it(`a user ${what} keeps nothing: Bearer, socket, MQTT (dashboard login) and SFTP end within 1 s`, async () => {
      const user = `op-${what.split(" ")[0]}`;
      await admin_("users.upsert", { username: user, role: "operator", password: PW });
      const doors = await openDoors(user);
      const asked = Date.now();
      await change(user);
      // From the moment the change is acknowledged (hashing a new password takes its own time).
      const t0 = Date.now();
      figures[`${what}: change request round trip (ms)`] = t0 - asked;
      const [mq, so, sf] = await Promise.all([doors.mqttClosed, doors.sockClosed, doors.sftpClosed]);
      const rest = await http("/api/hosts", { headers: bearer(doors.token) });
      const restAt = Date.now();
      expect(rest.status).toBe(401);
      const worst = Math.max(mq, so, sf, restAt) - t0;
      figures[`${what}: last door closed after the acknowledgement (ms)`] = Math.max(0, worst);
      expect(worst).toBeLessThan(1000);
      if (what === "demoted") {
        // The same password now logs in with the new role only.
        const again = await connectClient(`mqtt://127.0.0.1:${ports.mqtt}`, user, PW);
        expect((await request(again, "server.info", {})).data).toMatchObject({ caller: { username: user, role: "viewer" } });
        await again.endAsync();
        return;
      }
      // The old password opens nothing any more (no cache of it anywhere).
      expect((await http("/api/hosts", { headers: basic(user, PW) })).status).toBe(401);
      await expect(connectClient(`mqtt://127.0.0.1:${ports.mqtt}`, user, PW)).rejects.toThrow();
    });
  }

  it("tokens.revoke and users.signOut end one token or every session; tokens.list shows ids, never tokens", async () => {
    await admin_("users.upsert", { username: "op-tok", role: "operator", password: PW });
    const doors = await openDoors("op-tok");
    const list = (await admin_("tokens.list", { username: "op-tok" })) as { items: { id: string }[] };
    expect(list.items).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(doors.token);
    expect(await admin_("tokens.revoke", { id: list.items[0]!.id })).toEqual({ revoked: true });
    await doors.sockClosed;
    expect((await http("/api/hosts", { headers: bearer(doors.token) })).status).toBe(401);
    const out = (await admin_("users.signOut", { username: "op-tok" })) as { connections: number };
    expect(out.connections).toBeGreaterThanOrEqual(2);
    await Promise.all([doors.mqttClosed, doors.sftpClosed]);
  });

  it("a user who signs itself out gets the answer on that connection, then the connection closes", async () => {
    await admin_("users.upsert", { username: "op-self", role: "operator", password: PW });
    const doors = await openDoors("op-self");
    const own = await request(doors.mqttClient, "users.signOut", {});
    expect(own).toMatchObject({ status: "ok", data: { username: "op-self" } });
    expect((own.data as { connections: number }).connections).toBeGreaterThanOrEqual(3);
    await Promise.all([doors.mqttClosed, doors.sockClosed, doors.sftpClosed]);
    // The same on the command socket, signing out with the token that connection uses.
    const token = (await mint(basic("op-self", PW))).token!;
    const sock = await lineClient(ports.cmd!);
    sock.send({ jsonrpc: "2.0", id: 1, method: "auth", params: { token } });
    expect((await sock.next(byId(1))).result).toMatchObject({ username: "op-self" });
    sock.send({ jsonrpc: "2.0", id: 2, method: "users.signOut", params: {} });
    expect((await sock.next(byId(2))).result).toMatchObject({ username: "op-self", tokens: 1 });
    await sock.closed;
  });

  it("bbbctl tokens list / revoke and sign-out", async () => {
    await admin_("users.upsert", { username: "op-cli", role: "operator", password: PW });
    const doors = await openDoors("op-cli");
    const env = { BBB_HOST: "127.0.0.1", BBB_CMD_PORT: String(ports.cmd), BBB_USER: "admin", BBB_PASSWORD: ADMIN_PASSWORD };
    const listed = await bbbctl(["tokens", "list", "--of", "op-cli", "--json"], env);
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.stdout) as { id: string; username: string }[];
    expect(items.map((i) => i.username)).toEqual(["op-cli"]);
    const revoked = await bbbctl(["tokens", "revoke", items[0]!.id], env);
    expect(revoked.stderr).toBe("");
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: true });
    expect((await http("/api/hosts", { headers: bearer(doors.token) })).status).toBe(401);
    const out = await bbbctl(["sign-out", "op-cli"], env);
    expect(out.stderr).toBe("");
    expect(JSON.parse(out.stdout)).toMatchObject({ username: "op-cli" });
    await Promise.all([doors.mqttClosed, doors.sftpClosed, doors.sockClosed]);
  });
});
