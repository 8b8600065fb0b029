import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "../src/store/audit-repo.js";
import { bbbctl } from "./cli-runner.js";
import { byId, lineClient, type LineClient } from "./front-fixtures.js";
import { ADMIN_PASSWORD, FLEET_SECRET, REPO, connectClient, freePort, request, waitFor } from "./helpers.js";

const MAIN = join(REPO, "manager/dist/main.js");

/**
 * The audit trail with the real server process: a mutating call on each door (MQTT, socket,
 * REST) is recorded with who, role, door, peer, method, redacted params and result, is
 * queryable (audit.list, bbbctl audit), and is still there after a kill -9.
 */
describe("audit trail of mutating calls", () => {
  let dir: string;
  let proc: ChildProcess | null = null;
  let ports: { mqtt: number; cmd: number; http: number };

  async function start(): Promise<LineClient> {
    proc = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH, BBB_DATA_DIR: dir, BBB_FLEET_SECRET: FLEET_SECRET, BBB_ADMIN_PASSWORD: ADMIN_PASSWORD,
        BBB_BIND: "127.0.0.1", BBB_MQTT_PORT: String(ports.mqtt), BBB_CMD_PORT: String(ports.cmd),
        BBB_HTTP_PORT: String(ports.http), BBB_SFTP_PORT: "0", BBB_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const c = await waitFor(() => lineClient(ports.cmd).catch(() => null), 20_000, "command socket");
    c.send({ jsonrpc: "2.0", id: "a", method: "auth", params: { username: "admin", password: ADMIN_PASSWORD } });
    expect((await c.next(byId("a"), 10_000)).result).toMatchObject({ role: "admin" });
    return c;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-audit-"));
    ports = { mqtt: await freePort(), cmd: await freePort(), http: await freePort() };
  });
  afterAll(async () => {
    if (proc && proc.exitCode === null) proc.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("records each door's mutating calls with secrets redacted, refusals included, and keeps them through kill -9", async () => {
    const sock = await start();
    sock.send({ jsonrpc: "2.0", id: 1, method: "users.upsert", params: { username: "op1", role: "operator", password: "secret-pass-123" } });
    expect((await sock.next(byId(1))).result).toMatchObject({ username: "op1" });
    sock.send({ jsonrpc: "2.0", id: 2, method: "hosts.list", params: {} });
    await sock.next(byId(2));
    const op = await connectClient(`mqtt://127.0.0.1:${ports.mqtt}`, "op1", "secret-pass-123");
    expect((await request(op, "users.remove", { username: "admin" })).error?.code).toBe("MGR_E_FORBIDDEN");
    expect((await request(op, "sectors.upsert", { name: "s9", cidrs: ["10.9.0.0/24"] })).status).toBe("ok");
    await op.endAsync();
    const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;
    const put = await fetch(`http://127.0.0.1:${ports.http}/api/types/t9`, {
      method: "PUT",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ source: { kind: "git", url: "https://u:tok-SECRET@git.example.org/x.git" } }),
    });
    expect(put.status).toBe(403);
    // Everything above was acknowledged: now the process dies without a chance to flush anything.
    proc!.kill("SIGKILL");
    await new Promise((r) => proc!.once("exit", r));
    const db = new Database(join(dir, "bbb.sqlite"), { readonly: true });
    const rows = db.prepare("SELECT username, role, via, peer, method, params, result FROM audit ORDER BY id").all() as Omit<AuditRecord, "id" | "ts">[];
    db.close();
    expect(rows.map((r) => [r.username, r.via, r.method, r.result])).toEqual([
      ["admin", "socket", "users.upsert", "ok"],
      ["op1", "mqtt", "users.remove", "MGR_E_FORBIDDEN"],
      ["op1", "mqtt", "sectors.upsert", "ok"],
      ["admin", "rest", "types.upsert", "MGR_E_FORBIDDEN"],
    ]);
    expect(rows[0]?.peer).toBe("127.0.0.1");
    expect(rows[1]?.peer).toMatch(/^op1-/);
    const text = JSON.stringify(rows);
    expect(text).not.toContain("secret-pass-123");
    expect(text).not.toContain("tok-SECRET");
    expect(JSON.parse(rows[0]?.params ?? "null")).toMatchObject({ username: "op1", password: "***" });

    // Restarted: audit.list and bbbctl audit show the same rows, newest first.
    const again = await start();
    again.send({ jsonrpc: "2.0", id: 3, method: "audit.list", params: { username: "op1" } });
    const listed = (await again.next(byId(3))).result as { items: { method: string }[] };
    expect(listed.items.map((i) => i.method)).toEqual(["sectors.upsert", "users.remove"]);
    again.close();
    const env = { BBB_HOST: "127.0.0.1", BBB_CMD_PORT: String(ports.cmd), BBB_USER: "admin", BBB_PASSWORD: ADMIN_PASSWORD };
    const cli = await bbbctl(["audit", "--of", "op1", "--json"], env);
    expect(cli.stderr).toBe("");
    expect((JSON.parse(cli.stdout) as { result: string }[]).map((r) => r.result)).toEqual(["ok", "MGR_E_FORBIDDEN"]);
  });
});
