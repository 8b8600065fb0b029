import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveBoardToken, deriveManagerPassword } from "@bbb/broker";
import { LOCK_FILE } from "../src/ops/data-lock.js";
import { connectClient, REPO, topics, waitFor } from "./helpers.js";

const FLEET = "fleet-secret-SHOULD-NEVER-BE-LOGGED-42";
const ADMIN = "admin-pw-SHOULD-NEVER-BE-LOGGED-17";
const WRONG = "wrong-pw-SHOULD-NEVER-BE-LOGGED-99";
const METRICS = "metrics-token-SHOULD-NEVER-BE-LOGGED";

describe("the server process: JSON logs without secrets, clean stop on SIGTERM", () => {
  let dir: string;
  let child: ChildProcess;
  let out = "";
  let err = "";
  let ready: Record<string, unknown>;
  let exited: Promise<{ code: number | null; at: number }>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-ops-proc-"));
    await writeFile(join(dir, "fleet"), FLEET + "\n");
    await writeFile(join(dir, "admin"), ADMIN + "\n");
    child = spawn(process.execPath, [join(REPO, "manager/dist/main.js")], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        BBB_DATA_DIR: join(dir, "data"),
        BBB_BIND: "127.0.0.1",
        BBB_MQTT_PORT: "0",
        BBB_HTTP_PORT: "0",
        BBB_CMD_PORT: "0",
        BBB_SFTP_PORT: "0",
        BBB_FLEET_SECRET_FILE: join(dir, "fleet"),
        BBB_ADMIN_PASSWORD_FILE: join(dir, "admin"),
        BBB_METRICS_TOKEN: METRICS,
        BBB_LOG_LEVEL: "debug",
        BBB_SHUTDOWN_TIMEOUT_MS: "8000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    exited = new Promise((resolve) => child.once("exit", (code) => resolve({ code, at: Date.now() })));
    // stdout: JSON log lines only; stderr: the human summary of the URLs.
    child.stdout?.on("data", (b: Buffer) => (out += b.toString("utf8")));
    child.stderr?.on("data", (b: Buffer) => (err += b.toString("utf8")));
    ready = await waitFor(
      () => {
        for (const l of out.split("\n"))
          if (l.includes('"bbb server ready"')) return JSON.parse(l) as Record<string, unknown>;
        return null;
      },
      20_000,
      "the server's ready line",
    );
  }, 30_000);
  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("logs JSON lines with the level, and no secret after a start-up and failed logins", async () => {
    const ports = ready.ports as { mqtt: number; http: number; cmd: number };
    const base = `http://127.0.0.1:${ports.http}`;
    const basic = (p: string) => ({ authorization: `Basic ${Buffer.from(`admin:${p}`).toString("base64")}` });
    expect((await fetch(`${base}/api/server/info`, { headers: basic(WRONG) })).status).toBe(401);
    expect((await fetch(`${base}/api/server/info`, { headers: basic(ADMIN) })).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })).status).toBe(200);
    // The command socket: a failed then a good auth.
    await new Promise<void>((resolve, reject) => {
      const s = connect(ports.cmd, "127.0.0.1");
      let buf = "";
      s.on("data", (d: Buffer) => {
        buf += d.toString();
        if (buf.split("\n").length > 2) {
          s.end();
          resolve();
        }
      });
      s.on("error", reject);
      s.write(
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "auth", params: { username: "admin", password: WRONG } }) +
          "\n",
      );
      s.write(
        JSON.stringify({ jsonrpc: "2.0", id: 2, method: "auth", params: { username: "admin", password: ADMIN } }) +
          "\n",
      );
    });
    // MQTT: a board with a wrong token, then the admin with a wrong password.
    for (const [u, p] of [
      ["00000000c001", WRONG],
      ["admin", WRONG],
    ] as const) {
      const c = mqtt.connect(`mqtt://127.0.0.1:${ports.mqtt}`, {
        username: u,
        password: p,
        clientId: u,
        reconnectPeriod: 0,
      });
      await new Promise<void>((r) => c.once("error", () => r()));
      c.end(true);
    }
    await waitFor(() => out.includes("auth") && out.split("\n").length > 5, 5000, "log lines");
    const lines = out.split("\n").filter((l) => l.trim() !== "");
    for (const l of lines) {
      const parsed = JSON.parse(l) as { level: number; time: number; msg?: string };
      expect(typeof parsed.level).toBe("number");
    }
    expect(err).toContain("dashboard");
    for (const secret of [
      FLEET,
      ADMIN,
      WRONG,
      METRICS,
      deriveManagerPassword(FLEET),
      deriveBoardToken(FLEET, "00000000c001"),
    ])
      expect(out + err, "a secret in the output").not.toContain(secret);
  });

  it("on SIGTERM says offline on manager/status, closes everything and exits 0", async () => {
    const ports = ready.ports as { mqtt: number };
    const watcher = await connectClient(`mqtt://127.0.0.1:${ports.mqtt}`, "admin", ADMIN);
    const states: string[] = [];
    watcher.on("message", (_t, p) => states.push((JSON.parse(p.toString()) as { state: string }).state));
    await watcher.subscribeAsync(topics.managerStatus(), { qos: 1 });
    await waitFor(() => states.includes("online"), 5000, "manager online");
    expect(existsSync(join(dir, "data", LOCK_FILE))).toBe(true);
    const sent = Date.now();
    child.kill("SIGTERM");
    await waitFor(() => states.includes("offline"), 5000, "manager offline");
    const { code, at } = await exited;
    watcher.end(true);
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(8000);
    expect(out).toMatch(/"msg":"stopping"/);
    expect(out).toMatch(/"msg":"stopped"/);
    expect(existsSync(join(dir, "data", LOCK_FILE))).toBe(false);
  });
});
